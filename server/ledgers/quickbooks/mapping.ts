import { CodedError } from '../../shared/errors.js';
import { currencyDecimals, formatMinor, minorToNumber, toMinor } from '../../shared/money.js';
import type {
  DocumentLine,
  DocumentType,
  JournalDocument,
  LedgerDocument,
  LedgerDocumentRef,
  SalesOrBillDocument,
} from '../ledger.js';
import { lineTaxCode, type QboTaxSetup, salesTaxFields } from './tax.js';
import type { QboDocument } from './wire.js';

const usTax: QboTaxSetup = { model: 'us' };

/** QBO refuses DocNumbers longer than this; we never cut a number silently. */
export const maxDocNumberLength = 21;

/** A document QBO would refuse, stopped before any request; its code is the catalogue entry. */
export class QuickBooksMappingError extends CodedError {
  declare readonly code: 'document_number_too_long';
  declare readonly hint: string;
  constructor(code: 'document_number_too_long', message: string, hint: string) {
    super(code, message, { hint });
    this.name = 'QuickBooksMappingError';
  }
}

export type QboEntityName = 'Invoice' | 'CreditMemo' | 'Bill' | 'JournalEntry';
export const entityNameFor: Record<DocumentType, QboEntityName> = {
  invoice: 'Invoice',
  credit_memo: 'CreditMemo',
  bill: 'Bill',
  journal: 'JournalEntry',
};

/** QBO web app pages, used for links shown beside a synced record. */
const appPage: Record<DocumentType, string> = {
  invoice: 'invoice',
  credit_memo: 'creditmemo',
  bill: 'bill',
  journal: 'journal',
};

/**
 * QBO keeps amounts at the currency's ISO 4217 decimals. A document without CurrencyRef is in the
 * company's home currency, which the product has always taken as USD here.
 */
export const qboDecimals = (currency: string | undefined): number => currencyDecimals(currency ?? 'USD');

type Wire = Record<string, unknown>;
const ref = (value: string | undefined) => (value === undefined ? undefined : { value });

function checkNumber(number: string): void {
  if (number.length > maxDocNumberLength)
    throw new QuickBooksMappingError(
      'document_number_too_long',
      `Document number "${number}" has ${number.length} characters; QuickBooks Online allows at most ${maxDocNumberLength}.`,
      'Shorten the invoice number in ConnectWise (or its numbering prefix) to 21 characters or fewer, then sync again.',
    );
}

/**
 * Qty and UnitPrice go out only when Qty x UnitPrice rounds to the exact line amount, because QBO
 * refuses a line where they disagree; otherwise the exact Amount alone is sent.
 */
export function quantityAndPrice(line: DocumentLine, decimals: number): { Qty?: number; UnitPrice?: number } {
  const qty = decimalParts(line.quantity);
  const price = decimalParts(line.unitPrice);
  if (!qty || !price) return {};
  const extended = toMinor(formatMinor(qty.units * price.units, qty.scale + price.scale), decimals);
  if (extended !== line.amountMinor) return {};
  return { Qty: Number(line.quantity), UnitPrice: Number(line.unitPrice) };
}

function decimalParts(text: string): { units: bigint; scale: number } | undefined {
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, sign, whole = '0', fraction = ''] = match;
  const units = BigInt(whole + fraction);
  return { units: sign ? -units : units, scale: fraction.length };
}

function header(document: LedgerDocument): Wire {
  checkNumber(document.number);
  return {
    DocNumber: document.number,
    TxnDate: document.date,
    CurrencyRef: { value: document.currency },
    ...(document.memo ? { PrivateNote: document.memo } : {}),
  };
}

function salesLines(document: SalesOrBillDocument, tax: QboTaxSetup): Wire[] {
  return document.lines.map((line) => {
    const taxCode = lineTaxCode(line, tax, document.number);
    return {
      DetailType: 'SalesItemLineDetail',
      Amount: minorToNumber(line.amountMinor, document.decimals),
      ...(line.description ? { Description: line.description } : {}),
      SalesItemLineDetail: {
        ...(line.itemKey ? { ItemRef: ref(line.itemKey) } : {}),
        ...quantityAndPrice(line, document.decimals),
        ...(taxCode ? { TaxCodeRef: ref(taxCode) } : {}),
        ...(line.classKey ? { ClassRef: ref(line.classKey) } : {}),
      },
    };
  });
}

function expenseLines(document: SalesOrBillDocument, tax: QboTaxSetup): Wire[] {
  return document.lines.map((line) => {
    // Outside the US the same rule as a sale's line: a code on every line (exempt where untaxed).
    // A US bill carries no sales tax: a line keeps the code it was mapped with, if any.
    const taxCode = tax.model === 'global' ? lineTaxCode(line, tax, document.number) : line.taxKey;
    return {
      DetailType: 'AccountBasedExpenseLineDetail',
      Amount: minorToNumber(line.amountMinor, document.decimals),
      ...(line.description ? { Description: line.description } : {}),
      AccountBasedExpenseLineDetail: {
        AccountRef: ref(line.accountKey),
        ...(taxCode ? { TaxCodeRef: ref(taxCode) } : {}),
        ...(line.classKey ? { ClassRef: ref(line.classKey) } : {}),
      },
    };
  });
}

/**
 * Invoice or CreditMemo. CW's tax is stated the way the company's edition takes an override (see
 * QboTaxModel), so QBO's tax per rate and total are CW's.
 */
export function toQboSales(
  document: SalesOrBillDocument,
  customerId: string,
  tax: QboTaxSetup = usTax,
): Wire {
  return {
    ...header(document),
    CustomerRef: { value: customerId },
    ...(document.dueDate && document.type === 'invoice' ? { DueDate: document.dueDate } : {}),
    // The ledger's terms, mapped from CW's billing terms; QBO keeps DueDate as CW computed it.
    ...(document.terms && document.type === 'invoice' ? { SalesTermRef: { value: document.terms } } : {}),
    Line: salesLines(document, tax),
    ...salesTaxFields(document, tax),
  };
}

/**
 * Bill. Outside the US, CW's purchase tax is stated as for a sale (TaxLine per rate of the codes'
 * purchase rates, GlobalTaxCalculation), by the same code; a US bill states a TotalTax if it has tax.
 */
export function toQboBill(document: SalesOrBillDocument, vendorId: string, tax: QboTaxSetup = usTax): Wire {
  return {
    ...header(document),
    VendorRef: { value: vendorId },
    ...(document.dueDate ? { DueDate: document.dueDate } : {}),
    Line: expenseLines(document, tax),
    ...(tax.model === 'global'
      ? salesTaxFields(document, tax)
      : document.taxMinor !== 0n
        ? { TxnTaxDetail: { TotalTax: minorToNumber(document.taxMinor, document.decimals) } }
        : {}),
  };
}

/** Journal lines: positive amounts are debits, negative are credits; QBO wants both positive. */
export function toQboJournalEntry(document: JournalDocument): Wire {
  return {
    ...header(document),
    Line: document.lines.map((line) => ({
      DetailType: 'JournalEntryLineDetail',
      Amount: minorToNumber(line.amountMinor < 0n ? -line.amountMinor : line.amountMinor, document.decimals),
      ...(line.description ? { Description: line.description } : {}),
      JournalEntryLineDetail: {
        PostingType: line.amountMinor < 0n ? 'Credit' : 'Debit',
        AccountRef: { value: line.accountKey },
        ...(line.classKey ? { ClassRef: ref(line.classKey) } : {}),
      },
    })),
  };
}

/**
 * The wire entity for any document type; partyId is required except for journals. `tax` is how the
 * company takes tax (read from its preferences); US is what QBO assumed before there were others.
 */
export function toQboEntity(
  document: LedgerDocument,
  partyId: string | undefined,
  tax: QboTaxSetup = usTax,
): Wire {
  if (document.type === 'journal') return toQboJournalEntry(document);
  if (!partyId) throw new Error(`a ${document.type} needs a party id`);
  return document.type === 'bill' ? toQboBill(document, partyId, tax) : toQboSales(document, partyId, tax);
}

/** Sum of what the wire entity states, in minor units (lines plus tax; journals: the debits). */
export function wireTotalMinor(wire: Wire, decimals: number): bigint {
  const lines = (wire.Line ?? []) as { Amount: number; JournalEntryLineDetail?: { PostingType: string } }[];
  let total = 0n;
  for (const line of lines) {
    if (line.JournalEntryLineDetail?.PostingType === 'Credit') continue;
    total += toMinor(line.Amount, decimals);
  }
  const tax = (wire.TxnTaxDetail as { TotalTax?: number } | undefined)?.TotalTax;
  return total + (tax === undefined ? 0n : toMinor(tax, decimals));
}

export function toDocumentRef(
  type: DocumentType,
  entity: QboDocument,
  appUrl: string | undefined,
): LedgerDocumentRef {
  const currency = entity.CurrencyRef?.value ?? 'USD';
  const decimals = qboDecimals(currency);
  // A JournalEntry response has no TotalAmt (domain.md §8): its debit lines are its total.
  const totalMinor =
    type === 'journal' ? journalDebitsMinor(entity, decimals) : toMinor(entity.TotalAmt ?? 0, decimals);
  const balanceMinor = type === 'journal' ? 0n : toMinor(entity.Balance ?? entity.TotalAmt ?? 0, decimals);
  return {
    type,
    id: entity.Id,
    number: entity.DocNumber ?? '',
    totalMinor,
    balanceMinor,
    currency,
    decimals,
    status: statusOf(type, entity, totalMinor, balanceMinor),
    version: entity.SyncToken,
    url: appUrl ? `${appUrl.replace(/\/$/, '')}/app/${appPage[type]}?txnId=${entity.Id}` : undefined,
  };
}

function journalDebitsMinor(entity: QboDocument, decimals: number): bigint {
  let debits = 0n;
  for (const line of entity.Line ?? [])
    if (line.JournalEntryLineDetail?.PostingType === 'Debit') debits += toMinor(line.Amount ?? 0, decimals);
  return debits;
}

function statusOf(
  type: DocumentType,
  entity: QboDocument,
  total: bigint,
  balance: bigint,
): LedgerDocumentRef['status'] {
  // QBO has no void flag on the wire: a voided document keeps its lines at zero and a "Voided" note.
  if (total === 0n && entity.PrivateNote?.startsWith('Voided')) return 'voided';
  if (type === 'journal') return 'open';
  if (balance === 0n && total > 0n) return 'paid';
  if (balance > 0n && balance < total) return 'partly_paid';
  return 'open';
}
