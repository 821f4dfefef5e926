import type { z } from 'zod';
import { minorToNumber } from '../../money.js';
import {
  type AccessTokenSource,
  type CallGate,
  type DocumentType,
  type Ledger,
  type LedgerDocumentRef,
  type LedgerOption,
  openGate,
  type Party,
} from '../ledger.js';
import { LedgerError } from '../ledger-error.js';
import { entityNameFor, toDocumentRef, toQboEntity } from './mapping.js';
import { parse } from './parse-wire.js';
import { displayNameCandidates, queryLiteral } from './party-names.js';
import { paymentsFromCdc } from './payments.js';
import { requestIdFor } from './request-id.js';
import { callSdk, type SdkSettings } from './sdk.js';
import {
  documentSchema,
  optionSchema,
  partySchema,
  paymentSchema,
  queryResponseSchema,
} from './wire-schemas.js';

export interface QuickBooksLedgerOptions {
  apiBaseUrl: string;
  realmId: string;
  tokens: AccessTokenSource;
  minorVersion?: number;
  /** QBO web app base (https://app.qbo.intuit.com) for links to documents. */
  appUrl?: string;
  timeoutMs?: number;
  gate?: CallGate;
}

/** Numbers per `DocNumber IN (...)` query, keeping the URL well under QBO's limits. */
const numbersPerQuery = 50;
const pageSize = 1000;
/** How far back QBO's change data capture answers (30 days), with a margin for clocks and latency. */
const cdcWindowMs = 29 * 86_400_000;

export function createQuickBooksLedger(options: QuickBooksLedgerOptions): Ledger {
  const settings: SdkSettings = {
    apiBaseUrl: options.apiBaseUrl,
    realmId: options.realmId,
    tokens: options.tokens,
    minorVersion: options.minorVersion ?? 75,
    timeoutMs: options.timeoutMs ?? 30_000,
    gate: options.gate ?? openGate,
  };
  const call = (method: string, ...args: unknown[]) => callSdk(settings, method, ...args);
  const ref = (type: DocumentType, entity: unknown): LedgerDocumentRef =>
    toDocumentRef(type, parse(documentSchema, entity), options.appUrl);

  async function query<T extends z.ZodType>(entity: string, where: string, schema: T): Promise<z.infer<T>[]> {
    const rows: z.infer<T>[] = [];
    for (let start = 1; ; start += pageSize) {
      const body = parse(
        queryResponseSchema,
        await call(findMethod(entity), `${where} startposition ${start} maxresults ${pageSize}`.trim()),
      );
      const page = (body.QueryResponse[entity] ?? []) as unknown[];
      rows.push(...page.map((row) => parse(schema, row)));
      if (page.length < pageSize) return rows;
    }
  }

  async function findParty(party: Party): Promise<string | undefined> {
    const entity = party.kind === 'customer' ? 'Customer' : 'Vendor';
    // The CW account number lives in AcctNum (defined on both Customer and Vendor in Finance.xsd).
    if (party.accountNumber) {
      const [byNumber] = await query(
        entity,
        `where AcctNum = ${queryLiteral(party.accountNumber)}`,
        partySchema,
      );
      if (byNumber) return byNumber.Id;
    }
    const [name] = displayNameCandidates(party.name, party.kind);
    const [byName] = await query(entity, `where DisplayName = ${queryLiteral(name!)}`, partySchema);
    return byName?.Id;
  }

  const ledger: Ledger = {
    kind: 'qbo',

    async findByNumbers(type, numbers) {
      const entity = entityNameFor[type];
      const found = new Map<string, LedgerDocumentRef>();
      const unique = [...new Set(numbers)];
      for (let i = 0; i < unique.length; i += numbersPerQuery) {
        const chunk = unique.slice(i, i + numbersPerQuery);
        const rows = await query(
          entity,
          `where DocNumber IN (${chunk.map(queryLiteral).join(',')})`,
          documentSchema,
        );
        for (const row of rows) found.set(row.DocNumber ?? '', toDocumentRef(type, row, options.appUrl));
      }
      return found;
    },

    async get(type, id) {
      return ref(type, await call(`get${entityNameFor[type]}`, id));
    },

    async create(document, partyId, idempotencyKey) {
      const entity = { ...toQboEntity(document, partyId), requestId: requestIdFor(idempotencyKey) };
      return ref(document.type, await call(`create${entityNameFor[document.type]}`, entity));
    },

    async update(existing, document, partyId, idempotencyKey) {
      if (existing.type !== document.type) throw new Error('update cannot change the document type');
      const entity = {
        ...toQboEntity(document, partyId),
        Id: existing.id,
        SyncToken: existing.version,
        // A full update replaces the lines; the SDK would otherwise send a sparse update.
        sparse: false,
        requestId: requestIdFor(idempotencyKey, `update-${existing.version}`),
      };
      return ref(document.type, await call(`update${entityNameFor[document.type]}`, entity));
    },

    async ensureParty(party, idempotencyKey) {
      const existing = await findParty(party);
      if (existing) return existing;
      const entity = party.kind === 'customer' ? 'Customer' : 'Vendor';
      for (const [attempt, displayName] of displayNameCandidates(party.name, party.kind).entries()) {
        try {
          const created = await call(`create${entity}`, {
            DisplayName: displayName,
            CompanyName: displayName,
            ...(party.accountNumber ? { AcctNum: party.accountNumber } : {}),
            ...(party.email ? { PrimaryEmailAddr: { Address: party.email } } : {}),
            Notes: `ConnectWise company ${party.cwId}`,
            requestId: requestIdFor(idempotencyKey, `name-${attempt}`),
          });
          return parse(partySchema, created).Id;
        } catch (error) {
          // 6240: the name is held by another kind (vendor / employee); try the next candidate.
          if (error instanceof LedgerError && error.providerCode === '6240') continue;
          throw error;
        }
      }
      throw new LedgerError({
        code: 'ledger_validation',
        providerMessage: `No free display name for "${party.name}" in QuickBooks`,
        retryable: false,
      });
    },

    async applyCredit(input) {
      const credit = parse(documentSchema, await call('getCreditMemo', input.creditId));
      const amount = minorToNumber(input.amountMinor, input.decimals);
      const payment = await call('createPayment', {
        CustomerRef: { value: credit.CustomerRef?.value ?? '' },
        CurrencyRef: { value: input.currency },
        TotalAmt: 0,
        TxnDate: input.date,
        Line: [
          { Amount: amount, LinkedTxn: [{ TxnId: input.invoiceId, TxnType: 'Invoice' }] },
          { Amount: amount, LinkedTxn: [{ TxnId: input.creditId, TxnType: 'CreditMemo' }] },
        ],
        requestId: requestIdFor(input.idempotencyKey),
      });
      return { id: parse(documentSchema.pick({ Id: true }), payment).Id };
    },

    async *paymentsSince(since) {
      let cursor = since;
      const cdcFloor = new Date(Date.now() - cdcWindowMs);
      if (cursor < cdcFloor) {
        // CDC looks back 30 days at most; older changes come from a query (QBO keeps no record of
        // payments deleted that long ago).
        const window = `where MetaData.LastUpdatedTime >= '${cursor.toISOString()}' and MetaData.LastUpdatedTime < '${cdcFloor.toISOString()}'`;
        const rows = await query('Payment', window, paymentSchema);
        const { payments } = paymentsFromCdc({ CDCResponse: [{ QueryResponse: [{ Payment: rows }] }] });
        if (payments.length > 0) yield payments;
        cursor = cdcFloor;
      }
      for (;;) {
        // Always UTC with Z: a raw '+' offset in the query string would arrive as a space.
        const body = await call('changeDataCapture', ['Payment'], cursor.toISOString());
        const { payments, lastUpdated, full } = paymentsFromCdc(body);
        if (payments.length > 0) yield payments;
        if (!full || !lastUpdated || lastUpdated.getTime() <= cursor.getTime()) return;
        cursor = lastUpdated;
      }
    },

    listAccounts: () => listOptions('Account', (row) => row.AccountType),
    listTaxCodes: () => listOptions('TaxCode', (row) => row.Description),
    listClasses: () => listOptions('Class', () => undefined),
    listItems: () => listOptions('Item', (row) => row.Type),
    listTerms: () =>
      listOptions('Term', (row) => (row.DueDays === undefined ? undefined : `due in ${row.DueDays} days`)),
  };

  async function listOptions(
    entity: string,
    detail: (row: z.infer<typeof optionSchema>) => string | undefined,
  ): Promise<LedgerOption[]> {
    const rows = await query(entity, '', optionSchema);
    return rows.map((row) => ({
      key: row.Id,
      name: row.FullyQualifiedName ?? row.Name ?? row.Id,
      detail: detail(row),
      active: row.Active !== false,
    }));
  }

  return ledger;
}

const findMethods: Record<string, string> = {
  Invoice: 'findInvoices',
  CreditMemo: 'findCreditMemos',
  Bill: 'findBills',
  JournalEntry: 'findJournalEntries',
  Customer: 'findCustomers',
  Vendor: 'findVendors',
  Account: 'findAccounts',
  TaxCode: 'findTaxCodes',
  Class: 'findClasses',
  Item: 'findItems',
};
const findMethod = (entity: string) => findMethods[entity] ?? `find${entity}s`;
