import type { DocumentType } from '../../contract/push-check.js';
import type { LedgerConnection, LedgerKind } from '../db/schema.js';

export type { LedgerKind };

/**
 * The seam between the sync engine and a set of books. One interface, one implementation per
 * provider (quickbooks/, xero/), each with the same file set (provider.ts lists it).
 * Rate limiting, token refresh and retries are wrapped around a Ledger once, not inside each.
 */

// The document types a ledger books, as the API names them (a push check shows one).
export type { DocumentType };

/** A party on a document, as ConnectWise knows it. */
export interface Party {
  kind: 'customer' | 'vendor';
  cwId: string;
  /** CW account number: the first key used to find the party in the ledger. */
  accountNumber: string | undefined;
  name: string;
  email: string | undefined;
  /** The CW company's address, when the push read the company (party-details.ts in sync). */
  address?: PartyAddress | undefined;
  /**
   * Set when name, email and address are CW's company record as read for this push: only then are
   * they written over a stored party (party-cache.ts); a party built from a GL export alone is not.
   */
  fromCompany?: boolean;
}

/** A postal address as CW's Company holds it (addressLine1/2, city, state, zip, country.name). */
export interface PartyAddress {
  line1?: string | undefined;
  line2?: string | undefined;
  city?: string | undefined;
  region?: string | undefined;
  postalCode?: string | undefined;
  country?: string | undefined;
}

/** One line, already mapped to ledger keys. Amounts are exact; quantity and price are decimal text. */
export interface DocumentLine {
  description: string;
  quantity: string;
  unitPrice: string;
  /** Line amount before tax, in minor units, positive on a normal invoice / bill / credit memo. */
  amountMinor: bigint;
  accountKey: string;
  itemKey: string | undefined;
  /**
   * The ledger tax code: CW's tax code mapped for a taxable line; for a non-taxable line the mapped
   * exempt / zero code (mapping key `__exempt__`), when one is mapped.
   */
  taxKey: string | undefined;
  classKey: string | undefined;
  /**
   * Whether ConnectWise taxed the line (its GL detail `taxableFlag`). Undefined on documents built
   * without CW's tax detail: then a line with a tax code counts as taxed.
   */
  taxable?: boolean;
}

/**
 * ConnectWise's tax for one ledger tax code of a document (its ST lines, summed per code): the amount
 * the books must show for that code, whatever rate the ledger would compute.
 */
export interface DocumentTax {
  /** The ledger tax code; the taxed lines of this group carry the same `taxKey`. */
  taxKey: string;
  /** The CW tax codes mapped to it (usually one). */
  cwCodes: string[];
  /** Sum of the taxed lines of this code, minor units: the base the tax was charged on. */
  taxableMinor: bigint;
  taxMinor: bigint;
  /**
   * CW's tax of this code per level, when it charged more than one (a combined code such as GST +
   * PST): each level's rate percent (decimal text, "5") and amount, for the ledger's rate of it.
   */
  levels?: { percent: string; taxMinor: bigint }[];
}

/** A journal line: debit positive, credit negative. */
export interface JournalLine {
  description: string;
  amountMinor: bigint;
  accountKey: string;
  classKey: string | undefined;
}

interface DocumentBase {
  /** The CW document number; it becomes the ledger's document number unchanged. */
  number: string;
  date: string;
  currency: string;
  decimals: number;
  memo: string | undefined;
}

export interface SalesOrBillDocument extends DocumentBase {
  type: 'invoice' | 'credit_memo' | 'bill';
  dueDate: string | undefined;
  party: Party;
  lines: DocumentLine[];
  taxMinor: bigint;
  /**
   * CW's tax per ledger tax code, summing to `taxMinor`. Absent where the source states only a total
   * (then the ledger mappings treat the tax as one group over the taxed lines).
   */
  taxes?: DocumentTax[];
  /** Total including tax, in minor units, as CW states it. */
  totalMinor: bigint;
  terms: string | undefined;
}

export interface JournalDocument extends DocumentBase {
  type: 'journal';
  lines: JournalLine[];
}

export type LedgerDocument = SalesOrBillDocument | JournalDocument;

/** What the ledger holds for a document we pushed. */
export interface LedgerDocumentRef {
  type: DocumentType;
  id: string;
  number: string;
  totalMinor: bigint;
  balanceMinor: bigint;
  currency: string;
  /**
   * The precision the ledger keeps, which `totalMinor`/`balanceMinor` are in (Xero: 2 in every
   * currency; QBO: the currency's). Convert with `rescaleMinor` before comparing with CW figures.
   */
  decimals: number;
  status: 'open' | 'paid' | 'partly_paid' | 'voided' | 'deleted' | 'draft';
  /** Version token for updates (QBO SyncToken); undefined where the ledger has none. */
  version: string | undefined;
  url: string | undefined;
}

export interface LedgerPayment {
  id: string;
  /** The ledger document the payment (or payment line) applies to. */
  documentId: string;
  documentNumber: string | undefined;
  amountMinor: bigint;
  currency: string;
  /** The precision `amountMinor` is in: the ledger's, not ConnectWise's. */
  decimals: number;
  date: string;
  state: 'active' | 'deleted' | 'voided';
  updatedAt: string;
}

/** What a ledger webhook event names: its entity (QBO `Payment`, Xero `INVOICE`), id and operation. */
export interface LedgerChange {
  entity: string;
  id: string;
  /** Create, Update, Delete, Void (QBO); CREATE, UPDATE (Xero). */
  operation: string;
}

/** A credit note (credit memo) applied to an invoice in the books. */
export interface LedgerCreditApplied {
  creditId: string;
  /** The credit's document number, when the books hold one. */
  creditNumber: string | undefined;
  amountMinor: bigint;
  /** The precision `amountMinor` is in: the ledger's. */
  decimals: number;
  date: string;
}

/** Where the books applied a credit memo: the invoice it credits and how much of it (issue 14 item 4). */
export interface LedgerCreditAllocation {
  invoiceId: string;
  /** The invoice's document number, when the books hold one. */
  invoiceNumber: string | undefined;
  amountMinor: bigint;
  /** The precision `amountMinor` is in: the ledger's. */
  decimals: number;
  date: string;
}

/**
 * What the books hold now for one document we pushed, with the money applied to it, for the drift
 * check (server/reconcile/). Read in as few calls as the ledger allows.
 */
export interface LedgerDocumentState {
  /** Undefined when the books no longer hold it (deleted). */
  document: (LedgerDocumentRef & { taxMinor: bigint }) | undefined;
  /** Money received against it (active payments, in the shape payments-back writes them). */
  payments: LedgerPayment[];
  /** Credits applied to it. */
  credits: LedgerCreditApplied[];
  /**
   * A credit memo's: the invoices the books applied it to. Absent for an invoice, and where a ledger
   * does not say (its credit memo's drift check then compares totals and balances only).
   */
  appliedTo?: LedgerCreditAllocation[];
  /** Other live documents of the same type carrying its number (ones we did not create). */
  sameNumber: LedgerDocumentRef[];
}

/**
 * Money on an invoice as a correction takes it off and puts it back: a payment (with what re-creating
 * it needs: bank account, reference) or a credit note's allocation.
 */
export interface Settlement {
  kind: 'payment' | 'credit';
  /** The payment's id, or the allocation's. */
  id: string;
  creditId?: string;
  creditNumber?: string;
  amountMinor: bigint;
  /** The precision `amountMinor` is in: the ledger's. */
  decimals: number;
  currency: string;
  /** YYYY-MM-DD. */
  date: string;
  accountCode?: string;
  reference?: string;
}

/**
 * What a ledger that refuses to edit a paid document needs for a correction (Xero: "This document
 * cannot be edited as it has a payment or credit note allocated to it"). A ledger without it edits a
 * paid document in place (QBO, with its SyncToken), payments staying linked.
 */
export interface LedgerCorrection {
  /** The payments and credit allocations on the invoice now, which must come off before its lines change. */
  settlementsOf(invoiceId: string): Promise<Settlement[]>;
  /** Takes one off; one already taken off (an earlier attempt's lost answer) counts as done. */
  takeOff(settlement: Settlement): Promise<void>;
  /** Puts one back on the invoice; a retry with the same key answers the first one put back. */
  putBack(settlement: Settlement, invoiceId: string, idempotencyKey: string): Promise<{ id: string }>;
}

export interface LedgerOption {
  key: string;
  name: string;
  /** Account type, tax rate, etc., shown in the mapping pickers. */
  detail: string | undefined;
  active: boolean;
}

export interface Ledger {
  readonly kind: LedgerKind;
  /** Documents by number, one call for many numbers where the API allows. */
  findByNumbers(type: DocumentType, numbers: string[]): Promise<Map<string, LedgerDocumentRef>>;
  get(type: DocumentType, id: string): Promise<LedgerDocumentRef>;
  /**
   * Throws what `create` would refuse before sending anything (a number too long, tax it cannot
   * book, a journal in another currency), as the same error; sends no write. For a check before a
   * push (the pod's check on ConnectWise's beforeSave) that must name every reason a push would fail.
   */
  preflight(document: LedgerDocument): Promise<void>;
  /** Creates the document; `idempotencyKey` makes a retry return the first result. */
  create(
    document: LedgerDocument,
    partyId: string | undefined,
    idempotencyKey: string,
  ): Promise<LedgerDocumentRef>;
  /** Replaces the content of an existing document (same id, same number). */
  update(
    existing: LedgerDocumentRef,
    document: LedgerDocument,
    partyId: string | undefined,
    idempotencyKey: string,
  ): Promise<LedgerDocumentRef>;
  /** Finds the party by account number, then by name; creates it when missing. Returns its ledger id. */
  ensureParty(party: Party, idempotencyKey: string): Promise<string>;
  /**
   * Writes the party's name, address and email onto the ledger party with this id (never creates
   * one). QBO: a sparse update carrying the party's current SyncToken; Xero: POST /Contacts by
   * ContactID. A name another party holds is refused (`ledger_validation`, or
   * `ledger_duplicate_number` where the ledger words it as a uniqueness rule, as Xero does).
   */
  updateParty(id: string, party: Party, idempotencyKey: string): Promise<void>;
  applyCredit(input: {
    creditId: string;
    invoiceId: string;
    amountMinor: bigint;
    currency: string;
    decimals: number;
    date: string;
    idempotencyKey: string;
  }): Promise<{ id: string }>;
  /** Payments (and deletions) changed since a time, oldest first, page by page. */
  paymentsSince(since: Date): AsyncGenerator<LedgerPayment[]>;
  /**
   * The payments a webhook event names, read by themselves (a targeted read, not a sweep): QBO
   * names a Payment, Xero (no payment events) an invoice whose payments are read. Undefined when
   * the event names nothing this ledger reads payments from.
   */
  paymentsNamed(change: LedgerChange): Promise<LedgerPayment[] | undefined>;
  /**
   * An invoice or credit memo we pushed, as the books hold it now (documentState), found by its
   * stored id; `number` also finds other documents that carry it.
   */
  documentState(type: 'invoice' | 'credit_memo', id: string, number: string): Promise<LedgerDocumentState>;
  listAccounts(): Promise<LedgerOption[]>;
  listTaxCodes(): Promise<LedgerOption[]>;
  listClasses(): Promise<LedgerOption[]>;
  listItems(): Promise<LedgerOption[]>;
  /** Payment terms an invoice can name; empty where the ledger keeps none on documents (Xero). */
  listTerms(): Promise<LedgerOption[]>;
  /** Present where the ledger refuses to edit a paid document (see LedgerCorrection). */
  readonly correction?: LedgerCorrection;
}

/** Supplies a valid access token; refreshed and serialised outside the ledger. */
export interface AccessTokenSource {
  accessToken(): Promise<string>;
  /** Called when the ledger answered 401: the next accessToken() must refresh. */
  invalidate(): void;
  /**
   * Called when the ledger refused the connection in a way no refresh fixes (QBO 403 / 3100):
   * the connection needs an admin to reconnect. `reason` is shown to them.
   */
  refused?(reason: string): Promise<void>;
}

/** A connection's ledger client, limited, metered and cached (ledger-registry.ts). */
export interface LedgerFactory {
  for(connection: LedgerConnection): Ledger;
}
