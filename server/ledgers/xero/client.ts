import type { Allocations, Contacts, CreditNotes, Invoices, ManualJournals } from 'xero-node';
import type { CallGate } from '../../outbound/call-gate.js';
import { formatMinor, minorToNumber } from '../../shared/money.js';
import type {
  AccessTokenSource,
  DocumentType,
  Ledger,
  LedgerDocument,
  LedgerDocumentRef,
  Party,
} from '../ledger.js';
import { LedgerError } from '../ledger-error.js';
import { idempotencyKeyFor, XeroApi } from './api.js';
import { xeroCorrection } from './correction.js';
import { allocationsOfCreditNote, settlementsOfInvoice } from './document-state.js';
import {
  cleanName,
  fromXeroCreditNote,
  fromXeroInvoice,
  fromXeroJournal,
  journalNumberOf,
  type LinkOptions,
  mappingError,
  toXeroContact,
  toXeroDocument,
  toXeroJournal,
} from './mapping.js';
import { paymentsOfInvoice, paymentsSince } from './payments.js';
import { listAccounts, listClasses, listItems, listTaxCodes } from './reference-lists.js';
import {
  allocationWire,
  contactWire,
  creditNoteWire,
  envelope,
  invoiceWire,
  manualJournalWire,
  organisationWire,
} from './wire.js';

export interface XeroLedgerConfig {
  /** `https://api.xero.com/api.xro/2.0`, or a simulator's `http://127.0.0.1:PORT/api.xro/2.0`. */
  apiBaseUrl: string;
  xeroTenantId: string;
  tokens: AccessTokenSource;
  /** Base of deep links into the Xero web app. */
  appUrl?: string;
  /**
   * Manual journals are always in the organisation's base currency. Read from GET /Organisation
   * when not given; given only where the caller has just read it.
   */
  baseCurrency?: string;
  timeoutMs?: number;
  /** Shared call limits and retries around every SDK call (see ledger-registry.ts). */
  gate?: CallGate;
}

/** Numbers per GET: InvoiceNumbers and `where` both travel in the URL. */
const NUMBERS_PER_CALL = 40;
/** Xero answers amounts with unitdp=4 so unit prices keep 4 decimal places. */
const UNIT_DP = 4;

const quote = (text: string) => `"${text.replace(/["\\]/g, '\\$&')}"`;
const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
const LIVE_FIRST = (ref: LedgerDocumentRef) => (ref.status === 'deleted' || ref.status === 'voided' ? 1 : 0);

export function createXeroLedger(config: XeroLedgerConfig): Ledger {
  const xero = new XeroApi(config);
  const links: LinkOptions = { appUrl: (config.appUrl ?? 'https://go.xero.com').replace(/\/+$/, '') };
  // Read once per ledger instance from /Organisation (domain.md §8: journals have no currency of
  // their own); a failed read is not remembered, so the next call asks again.
  let organisationCurrency: Promise<string> | undefined = config.baseCurrency
    ? Promise.resolve(config.baseCurrency)
    : undefined;
  const baseCurrency = (): Promise<string> => {
    organisationCurrency ??= xero
      .call(envelope('Organisations', organisationWire), (api, t) => api.getOrganisations(t))
      .then((body) => first(body.Organisations, 'organisation').BaseCurrency)
      .catch((error: unknown) => {
        organisationCurrency = undefined;
        throw error;
      });
    return organisationCurrency;
  };
  const invoices = envelope('Invoices', invoiceWire);
  const creditNotes = envelope('CreditNotes', creditNoteWire);
  const journals = envelope('ManualJournals', manualJournalWire);

  const first = <T>(list: T[], what: string): T => {
    const [item] = list;
    if (item === undefined)
      throw new LedgerError({
        code: 'ledger_bad_response',
        providerMessage: `Xero returned no ${what}`,
        retryable: false,
      });
    return item;
  };

  async function findByNumbers(
    type: DocumentType,
    numbers: string[],
  ): Promise<Map<string, LedgerDocumentRef>> {
    const found = new Map<string, LedgerDocumentRef>();
    const keep = (ref: LedgerDocumentRef) => {
      const earlier = found.get(ref.number);
      if (!earlier || LIVE_FIRST(ref) < LIVE_FIRST(earlier)) found.set(ref.number, ref);
    };
    for (const chunk of chunks([...new Set(numbers)], NUMBERS_PER_CALL)) {
      if (type === 'invoice' || type === 'bill') {
        const where = `Type==${quote(type === 'bill' ? 'ACCPAY' : 'ACCREC')}`;
        const body = await xero.call(invoices, (api, t) =>
          api.getInvoices(
            t,
            undefined,
            where,
            undefined,
            undefined,
            chunk,
            undefined,
            undefined,
            undefined,
            true,
            undefined,
            UNIT_DP,
          ),
        );
        for (const wire of body.Invoices)
          if (chunk.includes(wire.InvoiceNumber ?? '')) keep(fromXeroInvoice(wire, links));
      } else if (type === 'credit_memo') {
        const where = chunk.map((n) => `CreditNoteNumber==${quote(n)}`).join(' OR ');
        const body = await xero.call(creditNotes, (api, t) =>
          api.getCreditNotes(t, undefined, where, undefined, undefined, UNIT_DP),
        );
        for (const wire of body.CreditNotes)
          if (chunk.includes(wire.CreditNoteNumber ?? '')) keep(fromXeroCreditNote(wire, links));
      } else {
        const where = chunk.map((n) => `Narration.StartsWith(${quote(n)})`).join(' OR ');
        const body = await xero.call(journals, (api, t) => api.getManualJournals(t, undefined, where));
        // The list carries JournalLines: [] without `page` (domain.md §8), so a journal's total
        // is read from the journal itself, by id: only for the few whose number matched.
        for (const wire of body.ManualJournals) {
          if (chunk.includes(journalNumberOf(wire.Narration)))
            keep(await get('journal', wire.ManualJournalID));
        }
      }
    }
    return found;
  }

  async function get(type: DocumentType, id: string): Promise<LedgerDocumentRef> {
    if (type === 'credit_memo') {
      const body = await xero.call(creditNotes, (api, t) => api.getCreditNote(t, id, UNIT_DP));
      return fromXeroCreditNote(first(body.CreditNotes, 'credit note'), links);
    }
    if (type === 'journal') {
      const body = await xero.call(journals, (api, t) => api.getManualJournal(t, id));
      return fromXeroJournal(first(body.ManualJournals, 'manual journal'), await baseCurrency(), links);
    }
    const body = await xero.call(invoices, (api, t) => api.getInvoice(t, id, UNIT_DP));
    return fromXeroInvoice(first(body.Invoices, 'invoice'), links);
  }

  /** What `write` refuses before its request, without the request. */
  async function preflight(document: LedgerDocument): Promise<void> {
    if (document.type === 'journal') {
      const base = await baseCurrency();
      if (document.currency.toUpperCase() !== base) throw journalCurrencyError(document, base);
      toXeroJournal(document);
      return;
    }
    toXeroDocument(document, 'preflight');
  }

  /** One document per request: a multi-document write can half-succeed behind a 400. */
  async function write(
    document: LedgerDocument,
    partyId: string | undefined,
    key: string,
    existingId?: string,
  ) {
    const idempotencyKey = idempotencyKeyFor(key);
    if (document.type === 'journal') {
      const base = await baseCurrency();
      if (document.currency.toUpperCase() !== base) throw journalCurrencyError(document, base);
      const model = xero.model<ManualJournals>(
        { ManualJournals: [toXeroJournal(document, existingId)] },
        'ManualJournals',
      );
      const body = await xero.call(journals, (api, t) =>
        existingId
          ? api.updateManualJournal(t, existingId, model, idempotencyKey)
          : api.createManualJournals(t, model, true, idempotencyKey),
      );
      return fromXeroJournal(first(body.ManualJournals, 'manual journal'), base, links);
    }
    if (!partyId) throw mappingError(`Document ${document.number} needs a Xero contact; none was given.`);
    const { collection, body: wire } = toXeroDocument(document, partyId, existingId);
    if (collection === 'CreditNotes') {
      const model = xero.model<CreditNotes>({ CreditNotes: [wire] }, 'CreditNotes');
      const body = await xero.call(creditNotes, (api, t) =>
        existingId
          ? api.updateCreditNote(t, existingId, model, UNIT_DP, idempotencyKey)
          : api.createCreditNotes(t, model, true, UNIT_DP, idempotencyKey),
      );
      return fromXeroCreditNote(first(body.CreditNotes, 'credit note'), links);
    }
    const model = xero.model<Invoices>({ Invoices: [wire] }, 'Invoices');
    const body = await xero.call(invoices, (api, t) =>
      existingId
        ? api.updateInvoice(t, existingId, model, UNIT_DP, idempotencyKey)
        : api.createInvoices(t, model, true, UNIT_DP, idempotencyKey),
    );
    return fromXeroInvoice(first(body.Invoices, 'invoice'), links);
  }

  async function ensureParty(party: Party, key: string): Promise<string> {
    const contacts = envelope('Contacts', contactWire);
    const lookups = [
      ...(party.accountNumber ? [`AccountNumber==${quote(party.accountNumber)}`] : []),
      `Name==${quote(cleanName(party.name))}`,
    ];
    for (const where of lookups) {
      const body = await xero.call(contacts, (api, t) => api.getContacts(t, undefined, where));
      const found = body.Contacts.find((c) => c.ContactStatus !== 'ARCHIVED');
      if (found) return found.ContactID;
    }
    const model = xero.model<Contacts>({ Contacts: [toXeroContact(party)] }, 'Contacts');
    const body = await xero.call(contacts, (api, t) =>
      api.createContacts(t, model, true, idempotencyKeyFor(key)),
    );
    return first(body.Contacts, 'contact').ContactID;
  }

  /**
   * The contact we stored, updated by its ContactID (POST /Contacts, create-or-update): name, email
   * and address. The account number is left as it is: it is how a lost cache row finds the contact
   * again. Xero refuses a name another active contact holds (400): a `ledger_validation` error.
   * What Xero does with a POST whose ContactID names no contact is not published (it may refuse it,
   * or create a second contact: sim/xero/contact-routes.ts UnknownContactId), so the id is read
   * first: an unknown one is a 404 there (`ledger_not_found`) and nothing is written.
   */
  async function updateParty(id: string, party: Party, key: string): Promise<void> {
    const contacts = envelope('Contacts', contactWire);
    await xero.call(contacts, (api, t) => api.getContact(t, id));
    const { AccountNumber: _kept, ...wire } = toXeroContact(party);
    const model = xero.model<Contacts>({ Contacts: [{ ContactID: id, ...wire }] }, 'Contacts');
    const body = await xero.call(contacts, (api, t) =>
      api.updateOrCreateContacts(t, model, true, idempotencyKeyFor(key)),
    );
    const saved = first(body.Contacts, 'contact').ContactID;
    if (saved !== id)
      throw new LedgerError({
        code: 'ledger_bad_response',
        providerMessage: `Xero answered contact ${saved} to an update of contact ${id}`,
        retryable: false,
      });
  }

  /**
   * Two calls: ours by id (with its payments, credits and tax), then every document carrying its
   * number (Xero keeps sales numbers unique among live documents, so another one means ours was
   * voided or deleted and someone entered one by hand).
   */
  async function documentState(type: 'invoice' | 'credit_memo', id: string, number: string) {
    let own: unknown;
    try {
      own =
        type === 'invoice'
          ? (await xero.call(invoices, (api, t) => api.getInvoice(t, id, UNIT_DP))).Invoices[0]
          : (await xero.call(creditNotes, (api, t) => api.getCreditNote(t, id, UNIT_DP))).CreditNotes[0];
    } catch (error) {
      if (!(error instanceof LedgerError && error.code === 'ledger_not_found')) throw error;
    }
    const numbered = await findAllNumbered(type, number);
    const sameNumber = numbered.filter((r) => r.id !== id && r.status !== 'voided' && r.status !== 'deleted');
    if (own === undefined) return { document: undefined, payments: [], credits: [], sameNumber };
    if (type === 'credit_memo') {
      const ref = fromXeroCreditNote(creditNoteWire.parse(own), links);
      const taxMinor = settlementsOfInvoice({ ...(own as object), InvoiceID: ref.id }).taxMinor;
      return {
        document: { ...ref, taxMinor },
        payments: [],
        credits: [],
        appliedTo: allocationsOfCreditNote(own),
        sameNumber,
      };
    }
    const { taxMinor, payments, credits } = settlementsOfInvoice(own);
    return {
      document: { ...fromXeroInvoice(invoiceWire.parse(own), links), taxMinor },
      payments,
      credits,
      sameNumber,
    };
  }

  /** Every document of the type carrying the number, voided and deleted ones included. */
  async function findAllNumbered(type: 'invoice' | 'credit_memo', number: string) {
    if (type === 'invoice') {
      const body = await xero.call(invoices, (api, t) =>
        api.getInvoices(
          t,
          undefined,
          'Type=="ACCREC"',
          undefined,
          undefined,
          [number],
          undefined,
          undefined,
          undefined,
          true,
          undefined,
          UNIT_DP,
        ),
      );
      return body.Invoices.filter((w) => w.InvoiceNumber === number).map((w) => fromXeroInvoice(w, links));
    }
    const body = await xero.call(creditNotes, (api, t) =>
      api.getCreditNotes(t, undefined, `CreditNoteNumber==${quote(number)}`, undefined, undefined, UNIT_DP),
    );
    return body.CreditNotes.map((w) => fromXeroCreditNote(w, links));
  }

  return {
    kind: 'xero',
    findByNumbers,
    documentState,
    get,
    preflight,
    create: (document, partyId, key) => write(document, partyId, key),
    update: (existing, document, partyId, key) => write(document, partyId, key, existing.id),
    ensureParty,
    updateParty,
    async applyCredit(input) {
      if (input.decimals > 2 && input.amountMinor % 10n ** BigInt(input.decimals - 2) !== 0n) {
        throw mappingError(
          `Xero keeps amounts to 2 decimal places; ${formatMinor(input.amountMinor, input.decimals)} ${input.currency} cannot be allocated exactly.`,
        );
      }
      const wire = {
        Allocations: [
          {
            Invoice: { InvoiceID: input.invoiceId },
            Amount: minorToNumber(input.amountMinor, input.decimals),
            Date: input.date,
          },
        ],
      };
      const body = await xero.call(envelope('Allocations', allocationWire), (api, t) =>
        api.createCreditNoteAllocation(
          t,
          input.creditId,
          xero.model<Allocations>(wire, 'Allocations'),
          true,
          idempotencyKeyFor(input.idempotencyKey),
        ),
      );
      const allocation = first(body.Allocations, 'allocation');
      return { id: allocation.AllocationID ?? `${input.creditId}:${input.invoiceId}` };
    },
    paymentsSince: (since) => paymentsSince(xero, since),
    paymentsNamed: (change) => paymentsOfInvoice(xero, change),
    listAccounts: () => listAccounts(xero),
    listTaxCodes: () => listTaxCodes(xero),
    listClasses: () => listClasses(xero),
    listItems: () => listItems(xero),
    // Xero invoices carry a due date, not a terms reference: there is nothing to map terms to.
    listTerms: async () => [],
    correction: xeroCorrection(xero),
  };
}

const journalCurrencyError = (document: LedgerDocument, base: string) =>
  mappingError(
    `Journal ${document.number} is in ${document.currency}, but Xero books manual journals in the organisation's base currency, ${base}, and converts nothing. Post it in ConnectWise in ${base}, or enter it in Xero by hand with the converted amounts.`,
  );
