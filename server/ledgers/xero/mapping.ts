import { formatMinor, minorToNumber, sumMinor, toMinor } from '../../shared/money.js';
import type {
  DocumentLine,
  DocumentType,
  JournalDocument,
  LedgerDocumentRef,
  LedgerPayment,
  Party,
  SalesOrBillDocument,
} from '../ledger.js';
import { LedgerError } from '../ledger-error.js';
import { XERO_AMOUNT_DECIMALS, XERO_UNIT_DECIMALS } from './currency.js';
import { lineTaxesOf } from './tax.js';
import {
  type CreditNoteWire,
  fromMsDate,
  type InvoiceWire,
  type ManualJournalWire,
  type PaymentWire,
} from './wire.js';

/** Limits from xero_accounting.yaml (Invoice.InvoiceNumber, LineItemItem.Code, Contact fields). */
export const XERO_LIMITS = {
  documentNumber: 255,
  itemCode: 30,
  contactName: 255,
  accountNumber: 50,
} as const;

export type XeroWire = Record<string, unknown>;

/** A product-side refusal: the document cannot be sent to Xero as it stands. */
/**
 * A document Xero would refuse, stopped before any request. `reason` names the error catalogue
 * entry (server/records/error-catalogue.ts) when there is a specific one.
 */
export function mappingError(
  message: string,
  reason: 'mapping' | 'document_number_too_long' | 'item_code_too_long' | 'out_of_balance' = 'mapping',
): LedgerError {
  return new LedgerError({
    code: 'ledger_validation',
    providerMessage: message,
    providerCode: reason,
    retryable: false,
  });
}

const XERO_TYPES = {
  invoice: { customer: 'ACCREC', vendor: 'ACCPAY' },
  bill: { customer: 'ACCPAY', vendor: 'ACCPAY' },
  credit_memo: { customer: 'ACCRECCREDIT', vendor: 'ACCPAYCREDIT' },
} as const;

/** `{collection, body}` for PUT/POST: Invoices (invoices and bills) or CreditNotes, in wire format. */
export function toXeroDocument(
  doc: SalesOrBillDocument,
  contactId: string,
  existingId?: string,
): { collection: 'Invoices' | 'CreditNotes'; body: XeroWire } {
  if (doc.number.length > XERO_LIMITS.documentNumber) {
    throw mappingError(
      `Document number ${doc.number.slice(0, 40)}… is ${doc.number.length} characters; Xero allows ${XERO_LIMITS.documentNumber}. Shorten the number in ConnectWise.`,
      'document_number_too_long',
    );
  }
  const subtotal = sumMinor(doc.lines.map((l) => l.amountMinor));
  if (subtotal + doc.taxMinor !== doc.totalMinor) {
    throw mappingError(
      `Out of balance: lines ${formatMinor(subtotal, doc.decimals)} + tax ${formatMinor(doc.taxMinor, doc.decimals)} ≠ total ${formatMinor(doc.totalMinor, doc.decimals)} ${doc.currency}.`,
      'out_of_balance',
    );
  }
  const lineTaxes = lineTaxesOf(doc, xeroStep(doc.decimals));
  if (!lineTaxes.ok) throw mappingError(lineTaxes.problem);
  const noTax = doc.taxMinor === 0n && lineTaxes.taxes.every((t) => t === undefined);
  const credit = doc.type === 'credit_memo';
  const type = XERO_TYPES[doc.type][doc.party.kind];
  const body: XeroWire = {
    Type: type,
    ...(existingId ? { [credit ? 'CreditNoteID' : 'InvoiceID']: existingId } : {}),
    [credit ? 'CreditNoteNumber' : 'InvoiceNumber']: doc.number,
    Contact: { ContactID: contactId },
    Date: doc.date,
    ...(doc.dueDate && !credit ? { DueDate: doc.dueDate } : {}),
    // Reference is "ACCREC only" on Invoice and "ACCRECCREDIT only" on CreditNote
    // (xero_accounting.yaml, the Reference descriptions; domain.md §8): never on bills.
    ...(doc.memo && referenceTypes.has(type) ? { Reference: doc.memo } : {}),
    CurrencyCode: doc.currency,
    Status: 'AUTHORISED',
    LineAmountTypes: noTax ? 'NoTax' : 'Exclusive',
    LineItems: doc.lines.map((line, i) => toXeroLine(line, doc, noTax, lineTaxes.taxes[i])),
  };
  return { collection: credit ? 'CreditNotes' : 'Invoices', body };
}

const referenceTypes = new Set(['ACCREC', 'ACCRECCREDIT']);

/**
 * The tax type of a line CW did not tax, unless the connection maps one (tax code `__exempt__`):
 * NONE is the no-tax rate Xero organisations hold (xero_accounting.yaml TaxType enum).
 */
export const defaultExemptTaxType = 'NONE';

/** The smallest amount Xero holds, in the document's minor units (it keeps 2 decimals everywhere). */
const xeroStep = (decimals: number) =>
  decimals > XERO_AMOUNT_DECIMALS ? 10n ** BigInt(decimals - XERO_AMOUNT_DECIMALS) : 1n;

function toXeroLine(
  line: DocumentLine,
  doc: SalesOrBillDocument,
  noTax: boolean,
  taxMinor: bigint | undefined,
): XeroWire {
  if (line.itemKey && line.itemKey.length > XERO_LIMITS.itemCode) {
    throw mappingError(
      `Item code "${line.itemKey}" is ${line.itemKey.length} characters; Xero allows ${XERO_LIMITS.itemCode}. Map the ConnectWise product to a shorter Xero item code, or send the line without an item.`,
      'item_code_too_long',
    );
  }
  const amount = xeroAmount(line.amountMinor, doc);
  // Quantity x price is sent only when it reproduces the exact line amount; otherwise one unit at the
  // line amount, so Xero can never recompute a different total.
  const exact = quantityTimesPriceIs(line.quantity, line.unitPrice, line.amountMinor, doc.decimals);
  return {
    Description: line.description || line.itemKey || '-',
    Quantity: exact ? Number(line.quantity) : 1,
    UnitAmount: exact ? Number(line.unitPrice) : amount,
    LineAmount: amount,
    AccountCode: line.accountKey,
    ...(line.itemKey ? { ItemCode: line.itemKey } : {}),
    ...lineTax(line, noTax, taxMinor, doc),
    ...(line.classKey ? { Tracking: [trackingOf(line.classKey)] } : {}),
  };
}

/**
 * A taxed line carries its tax type and CW's tax for it; a line CW did not tax carries the exempt
 * type at zero, so Xero cannot charge tax CW did not.
 */
function lineTax(
  line: DocumentLine,
  noTax: boolean,
  taxMinor: bigint | undefined,
  doc: SalesOrBillDocument,
): XeroWire {
  if (noTax) return line.taxKey ? { TaxType: line.taxKey } : {};
  if (taxMinor === undefined) return { TaxType: line.taxKey || defaultExemptTaxType, TaxAmount: 0 };
  return { ...(line.taxKey ? { TaxType: line.taxKey } : {}), TaxAmount: xeroAmount(taxMinor, doc) };
}

/** Our class key for Xero tracking is `categoryId:optionId` (see listClasses). */
export function trackingOf(classKey: string): XeroWire {
  const [TrackingCategoryID, TrackingOptionID] = classKey.split(':');
  if (!TrackingCategoryID || !TrackingOptionID)
    throw mappingError(`Tracking key "${classKey}" is not category:option.`);
  return { TrackingCategoryID, TrackingOptionID };
}

/** An exact amount as a JSON number; refuses amounts Xero would round (it keeps 2 decimals). */
function xeroAmount(minor: bigint, doc: { decimals: number; currency: string }): number {
  if (
    doc.decimals > XERO_AMOUNT_DECIMALS &&
    minor % 10n ** BigInt(doc.decimals - XERO_AMOUNT_DECIMALS) !== 0n
  ) {
    throw mappingError(
      `Xero keeps amounts to ${XERO_AMOUNT_DECIMALS} decimal places; ${formatMinor(minor, doc.decimals)} ${doc.currency} cannot be sent exactly.`,
    );
  }
  return minorToNumber(minor, doc.decimals);
}

const decimalParts = (text: string): { units: bigint; places: number } | undefined => {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  return { units: BigInt(`${match[1]}${match[2]}${fraction}`), places: fraction.length };
};

function quantityTimesPriceIs(
  quantity: string,
  price: string,
  amountMinor: bigint,
  decimals: number,
): boolean {
  const q = decimalParts(quantity);
  const p = decimalParts(price);
  if (!q || !p || q.places > XERO_UNIT_DECIMALS || p.places > XERO_UNIT_DECIMALS) return false;
  if (String(Number(quantity)) !== formatDecimal(q) || String(Number(price)) !== formatDecimal(p))
    return false;
  const places = q.places + p.places;
  const product = q.units * p.units;
  return places >= decimals
    ? product === amountMinor * 10n ** BigInt(places - decimals)
    : product * 10n ** BigInt(decimals - places) === amountMinor;
}

const formatDecimal = ({ units, places }: { units: bigint; places: number }) =>
  places === 0 ? units.toString() : formatMinor(units, places);

export function toXeroJournal(doc: JournalDocument, existingId?: string): XeroWire {
  return {
    ...(existingId ? { ManualJournalID: existingId } : {}),
    Narration: journalNarration(doc.number, doc.memo),
    Date: doc.date,
    Status: 'POSTED',
    LineAmountTypes: 'NoTax',
    JournalLines: doc.lines.map((line) => ({
      LineAmount: xeroAmount(line.amountMinor, doc),
      AccountCode: line.accountKey,
      Description: line.description,
      ...(line.classKey ? { Tracking: [trackingOf(line.classKey)] } : {}),
    })),
  };
}

/** Manual journals have no number in Xero: the narration starts with ours. */
export const journalNarration = (number: string, memo: string | undefined) =>
  memo ? `${number}: ${memo}` : number;
export const journalNumberOf = (narration: string) => narration.split(': ')[0] ?? narration;

/** Straight quotes and single spaces: Xero matches names exactly, ConnectWise text often has curly ones. */
export function cleanName(name: string): string {
  return name
    .replace(/[\u2018\u2019\u201A\u201B\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F\u2033]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

export function toXeroContact(party: Party): XeroWire {
  const name = cleanName(party.name);
  if (name === '') throw mappingError(`ConnectWise ${party.kind} ${party.cwId} has no name.`);
  if (name.length > XERO_LIMITS.contactName)
    throw mappingError(
      `Contact name "${name.slice(0, 40)}…" is longer than ${XERO_LIMITS.contactName} characters.`,
    );
  if (party.accountNumber && party.accountNumber.length > XERO_LIMITS.accountNumber) {
    throw mappingError(
      `Account number "${party.accountNumber}" is longer than Xero's ${XERO_LIMITS.accountNumber} characters.`,
    );
  }
  return {
    Name: name,
    ...(party.accountNumber ? { AccountNumber: party.accountNumber } : {}),
    ...(party.email ? { EmailAddress: party.email } : {}),
    ...xeroAddresses(party),
  };
}

/**
 * CW's company address as a Xero contact's postal address (xero_accounting.yaml Address: AddressType
 * POBOX, AddressLine1-2, City, Region, PostalCode, Country). Pure; nothing when CW gave none.
 */
function xeroAddresses(party: Party): XeroWire {
  const a = party.address;
  if (!a || !Object.values(a).some(Boolean)) return {};
  return {
    Addresses: [
      {
        AddressType: 'POBOX',
        ...(a.line1 ? { AddressLine1: a.line1 } : {}),
        ...(a.line2 ? { AddressLine2: a.line2 } : {}),
        ...(a.city ? { City: a.city } : {}),
        ...(a.region ? { Region: a.region } : {}),
        ...(a.postalCode ? { PostalCode: a.postalCode } : {}),
        ...(a.country ? { Country: a.country } : {}),
      },
    ],
  };
}

const STATUS = {
  DRAFT: 'draft',
  SUBMITTED: 'draft',
  DELETED: 'deleted',
  VOIDED: 'voided',
  PAID: 'paid',
} as const;

function statusOf(wireStatus: string, totalMinor: bigint, balanceMinor: bigint): LedgerDocumentRef['status'] {
  const known = STATUS[wireStatus as keyof typeof STATUS];
  if (known) return known;
  if (balanceMinor === 0n && totalMinor !== 0n) return 'paid';
  return balanceMinor !== totalMinor ? 'partly_paid' : 'open';
}

export interface LinkOptions {
  appUrl: string;
}

/**
 * Xero answers every amount at 2 dp whatever the currency ("Rounding in Xero" developer guide, see
 * domain.md §8): read at that precision, never the currency's, so ISK 24800.50 is not rounded away.
 */
const readDecimals = XERO_AMOUNT_DECIMALS;

export function fromXeroInvoice(wire: InvoiceWire, links: LinkOptions): LedgerDocumentRef {
  const totalMinor = toMinor(wire.Total, readDecimals);
  const balanceMinor = toMinor(wire.AmountDue, readDecimals);
  const type: DocumentType = wire.Type === 'ACCPAY' ? 'bill' : 'invoice';
  return {
    type,
    id: wire.InvoiceID,
    number: wire.InvoiceNumber ?? '',
    totalMinor,
    balanceMinor,
    currency: wire.CurrencyCode,
    decimals: readDecimals,
    status: statusOf(wire.Status, totalMinor, balanceMinor),
    version: wire.UpdatedDateUTC,
    url: `${links.appUrl}/${type === 'bill' ? 'AccountsPayable/View.aspx' : 'AccountsReceivable/View.aspx'}?InvoiceID=${wire.InvoiceID}`,
  };
}

export function fromXeroCreditNote(wire: CreditNoteWire, links: LinkOptions): LedgerDocumentRef {
  const totalMinor = toMinor(wire.Total, readDecimals);
  const balanceMinor = toMinor(wire.RemainingCredit ?? wire.Total, readDecimals);
  return {
    type: 'credit_memo',
    id: wire.CreditNoteID,
    number: wire.CreditNoteNumber ?? '',
    totalMinor,
    balanceMinor,
    currency: wire.CurrencyCode,
    decimals: readDecimals,
    status: statusOf(wire.Status, totalMinor, balanceMinor),
    version: wire.UpdatedDateUTC,
    url: `${links.appUrl}/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=${wire.CreditNoteID}`,
  };
}

export function fromXeroJournal(
  wire: ManualJournalWire,
  currency: string,
  links: LinkOptions,
): LedgerDocumentRef {
  const debits = sumMinor(
    (wire.JournalLines ?? []).map((l) => toMinor(l.LineAmount, readDecimals)).filter((a) => a > 0n),
  );
  return {
    type: 'journal',
    id: wire.ManualJournalID,
    number: journalNumberOf(wire.Narration),
    totalMinor: debits,
    balanceMinor: 0n,
    currency,
    decimals: readDecimals,
    status:
      wire.Status === 'DRAFT'
        ? 'draft'
        : wire.Status === 'VOIDED'
          ? 'voided'
          : wire.Status === 'DELETED'
            ? 'deleted'
            : 'open',
    version: undefined,
    url: `${links.appUrl}/Journal/View.aspx?invoiceID=${wire.ManualJournalID}`,
  };
}

export function fromXeroPayment(wire: PaymentWire): LedgerPayment {
  const document = wire.Invoice
    ? { id: wire.Invoice.InvoiceID, number: wire.Invoice.InvoiceNumber, currency: wire.Invoice.CurrencyCode }
    : {
        id: wire.CreditNote?.CreditNoteID ?? '',
        number: wire.CreditNote?.CreditNoteNumber,
        currency: wire.CreditNote?.CurrencyCode,
      };
  const currency = document.currency ?? '';
  return {
    id: wire.PaymentID,
    documentId: document.id,
    documentNumber: document.number,
    amountMinor: toMinor(wire.Amount, readDecimals),
    currency,
    decimals: readDecimals,
    date: fromMsDate(wire.Date).slice(0, 10),
    state: wire.Status === 'DELETED' ? 'deleted' : 'active',
    updatedAt: fromMsDate(wire.UpdatedDateUTC),
  };
}
