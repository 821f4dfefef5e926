import { z } from 'zod';
import { type CallGate, openGate } from '../../outbound/call-gate.js';
import { minorToNumber } from '../../shared/money.js';
import { taxGroupsOf } from '../document-tax.js';
import type {
  AccessTokenSource,
  DocumentType,
  Ledger,
  LedgerDocument,
  LedgerDocumentRef,
  LedgerOption,
  Party,
} from '../ledger.js';
import { LedgerError } from '../ledger-error.js';
import { callSdk, type SdkSettings } from './api.js';
import { type QboCompanyTax, readCompanyTax } from './company-tax.js';
import { allocationsOf, linksOf, othersOf, settlementsOf } from './document-state.js';
import { entityNameFor, toDocumentRef, toQboEntity } from './mapping.js';
import { parse } from './parse-wire.js';
import { displayNameCandidates, pickParty, qboPartyDetails, queryLiteral } from './party-names.js';
import { deletedPayment, paymentsFromCdc, paymentsOfRows } from './payments.js';
import { requestIdFor } from './request-id.js';
import { type QboRate, QboTaxError, type QboTaxModel, type QboTaxSetup } from './tax.js';
import {
  documentSchema,
  optionSchema,
  partySchema,
  paymentSchema,
  queryResponseSchema,
  taxCodeSchema,
  taxRateSchema,
} from './wire.js';

export interface QuickBooksLedgerOptions {
  apiBaseUrl: string;
  realmId: string;
  tokens: AccessTokenSource;
  minorVersion?: number;
  /** QBO web app base (https://app.qbo.intuit.com) for links to documents. */
  appUrl?: string;
  timeoutMs?: number;
  gate?: CallGate;
  /**
   * How the company takes tax, as read at connect time; without it the ledger reads the company's
   * Preferences and CompanyInfo once, before its first invoice or credit memo.
   */
  taxModel?: QboTaxModel;
  /** Told what the company's settings said when the ledger had to read them (to store on the connection). */
  onCompanyTax?: (tax: QboCompanyTax) => Promise<void>;
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

  let taxModel: Promise<QboTaxModel> | undefined = options.taxModel
    ? Promise.resolve(options.taxModel)
    : undefined;
  const modelOfCompany = () => {
    taxModel ??= readCompanyTax(settings).then(
      async (tax) => {
        // Stored, the next pushes map untaxed lines to the exempt code before sending (push-invoice).
        await options.onCompanyTax?.(tax);
        return tax.model;
      },
      (error) => {
        taxModel = undefined;
        throw error;
      },
    );
    return taxModel;
  };
  /**
   * Sales rates (invoices, credit memos) or purchase rates (bills) per tax code id, read once per
   * ledger (codes and rates rarely change).
   */
  const ratesByCode = new Map<string, Promise<QboRate[]>>();
  const ratesOfCode = (codeId: string, side: 'sales' | 'purchase') => {
    const key = `${side}:${codeId}`;
    let rates = ratesByCode.get(key);
    if (!rates) {
      rates = (async () => {
        const code = parse(taxCodeSchema, await call('getTaxCode', codeId));
        const list = side === 'sales' ? code.SalesTaxRateList : code.PurchaseTaxRateList;
        const details = list?.TaxRateDetail ?? [];
        return Promise.all(
          details.map(async (detail) => {
            const rate = parse(taxRateSchema, await call('getTaxRate', detail.TaxRateRef.value));
            return { id: rate.Id, percent: String(rate.RateValue ?? 0) };
          }),
        );
      })();
      rates.catch(() => ratesByCode.delete(key));
      ratesByCode.set(key, rates);
    }
    return rates;
  };

  /** The company's tax setup for one document: its model, and for `global` the rates it names. */
  async function taxSetupFor(document: LedgerDocument): Promise<QboTaxSetup> {
    if (document.type === 'journal') return { model: 'us' };
    const model = await modelOfCompany();
    // A bill has no sales tax: outside the US it takes its codes' purchase rates, elsewhere none.
    if (model !== 'global') return { model: document.type === 'bill' ? 'us' : model };
    const side = document.type === 'bill' ? 'purchase' : 'sales';
    const keys = [...new Set(taxGroupsOf(document).map((g) => g.taxKey))].filter(Boolean);
    const rates = new Map(await Promise.all(keys.map(async (k) => [k, await ratesOfCode(k, side)] as const)));
    return { model, ratesOf: (code) => rates.get(code) };
  }
  const wireOf = async (document: LedgerDocument, partyId: string | undefined) => {
    try {
      return toQboEntity(document, partyId, await taxSetupFor(document));
    } catch (error) {
      if (error instanceof QboTaxError)
        throw new LedgerError({
          code: 'ledger_validation',
          providerMessage: error.message,
          providerCode: error.code,
          retryable: false,
        });
      throw error;
    }
  };

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
  /** Document numbers by id, one query for all of them (none when there are no ids). */
  async function docNumbers(entity: 'Invoice' | 'CreditMemo', ids: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await query(entity, `where Id IN (${unique.map(queryLiteral).join(',')})`, documentSchema);
    return new Map(rows.map((row) => [row.Id, row.DocNumber ?? '']));
  }

  /**
   * The party by display name: AcctNum is not queryable on Customer or Vendor (400, code 4001
   * "QueryValidationError: property 'AcctNum' is not queryable": intuit/QuickBooks-V3-DotNET-SDK#163,
   * ruckus/quickbooks-ruby#403), so the name we would give it is the key, with the suffixed names
   * we fall back to when another kind holds the plain one. A stored ledger id (party-cache.ts) is
   * asked first, outside this ledger. One query: DisplayName takes IN (Intuit's query operators).
   */
  async function findParty(party: Party): Promise<string | undefined> {
    const entity = party.kind === 'customer' ? 'Customer' : 'Vendor';
    const candidates = displayNameCandidates(party.name, party.kind);
    const rows = await query(
      entity,
      `where DisplayName IN (${candidates.map(queryLiteral).join(',')})`,
      partySchema,
    );
    return pickParty(rows, candidates, party)?.Id;
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

    async preflight(document) {
      // A party is found or made during the push itself: any id stands in for it here.
      await wireOf(document, document.type === 'journal' ? undefined : 'preflight');
    },

    async create(document, partyId, idempotencyKey) {
      const entity = { ...(await wireOf(document, partyId)), requestId: requestIdFor(idempotencyKey) };
      return ref(document.type, await call(`create${entityNameFor[document.type]}`, entity));
    },

    async update(existing, document, partyId, idempotencyKey) {
      if (existing.type !== document.type) throw new Error('update cannot change the document type');
      const entity = {
        ...(await wireOf(document, partyId)),
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
            ...qboPartyDetails(party),
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

    /**
     * A sparse update of the party we stored: read it for its SyncToken, then write the name, email
     * and address. Our display name is kept while it is still one of the new name's candidates (a
     * suffixed "Acme (customer)" stays); else the first free candidate is taken, as on create. A
     * SyncToken gone stale between the read and the write (5010) is read again, once.
     */
    async updateParty(id, party, idempotencyKey) {
      const entity = party.kind === 'customer' ? 'Customer' : 'Vendor';
      const candidates = displayNameCandidates(party.name, party.kind);
      for (let round = 0; ; round++) {
        const current = parse(partySchema, await call(`get${entity}`, id));
        const keep = candidates.some((c) => c.toLowerCase() === current.DisplayName.toLowerCase());
        const names = keep ? [current.DisplayName] : candidates;
        let stale = false;
        for (const [attempt, displayName] of names.entries()) {
          try {
            await call(`update${entity}`, {
              Id: id,
              SyncToken: current.SyncToken ?? '0',
              sparse: true,
              DisplayName: displayName,
              CompanyName: displayName,
              ...qboPartyDetails(party),
              requestId: requestIdFor(idempotencyKey, `v${current.SyncToken ?? '0'}-${attempt}`),
            });
            return;
          } catch (error) {
            if (!(error instanceof LedgerError)) throw error;
            // 6240: another customer, vendor or employee holds the name; try the next candidate.
            if (error.providerCode === '6240') continue;
            if (error.providerCode === '5010' && round === 0) {
              stale = true;
              break;
            }
            throw error;
          }
        }
        if (stale) continue;
        throw new LedgerError({
          code: 'ledger_validation',
          providerMessage: `No free display name for "${party.name}" in QuickBooks`,
          retryable: false,
        });
      }
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

    async paymentsNamed(change) {
      // Invoice and credit memo events are not read: a payment on one comes as its own Payment
      // event, and reading every invoice we create back would spend a metered read per push.
      if (change.entity.toLowerCase() !== 'payment') return undefined;
      const deleted = () => [deletedPayment(change.id, new Date().toISOString())];
      // A deleted payment cannot be read (CDC shows it as a bare {Id, status: "Deleted"} too).
      if (/^delete/i.test(change.operation)) return deleted();
      try {
        return paymentsOfRows([await call('getPayment', change.id)]);
      } catch (error) {
        if (error instanceof LedgerError && error.code === 'ledger_not_found') return deleted();
        throw error;
      }
    },

    async documentState(type, id, number) {
      const entity = entityNameFor[type];
      // One query finds ours and any other document carrying our number; ours is read by id only
      // when the query misses it (renumbered or deleted in the books).
      const numbered = await query(entity, `where DocNumber = ${queryLiteral(number)}`, z.unknown());
      let own: unknown = numbered.find((row) => parse(documentSchema, row).Id === id);
      if (own === undefined) {
        try {
          own = await call(`get${entity}`, id);
        } catch (error) {
          if (!(error instanceof LedgerError && error.code === 'ledger_not_found')) throw error;
        }
      }
      const sameNumber = othersOf(
        numbered.map((row) => ref(type, row)),
        id,
      );
      if (own === undefined) return { document: undefined, payments: [], credits: [], sameNumber };
      const document = ref(type, own);
      const { paymentIds, taxMinor } = linksOf(own, document.currency);
      if (paymentIds.length === 0)
        return {
          document: { ...document, taxMinor },
          payments: [],
          credits: [],
          ...(type === 'credit_memo' ? { appliedTo: [] } : {}),
          sameNumber,
        };
      const rows = await query(
        'Payment',
        `where Id IN (${paymentIds.map(queryLiteral).join(',')})`,
        z.unknown(),
      );
      if (type === 'credit_memo') {
        // A guess (docs/conformance.md): a credit memo applied in QBO links the applying Payment in
        // its LinkedTxn as an invoice does; no recorded CreditMemo of ours shows one yet.
        const allocations = allocationsOf(rows, id);
        const numbers = await docNumbers(
          'Invoice',
          allocations.map((a) => a.invoiceId),
        );
        return {
          document: { ...document, taxMinor },
          payments: [],
          credits: [],
          appliedTo: allocations.map((a) => ({ ...a, invoiceNumber: numbers.get(a.invoiceId) || undefined })),
          sameNumber,
        };
      }
      const { payments, credits } = settlementsOf(rows, id);
      const numbers = await docNumbers(
        'CreditMemo',
        credits.map((c) => c.creditId),
      );
      return {
        document: { ...document, taxMinor },
        payments,
        credits: credits.map((c) => ({ ...c, creditNumber: numbers.get(c.creditId) || undefined })),
        sameNumber,
      };
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
