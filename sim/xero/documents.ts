import { randomUUID } from 'node:crypto';
import { lockProblems } from './lock-dates.js';
import { arr, obj, sameText, str, type TenantBooks, type Wire } from './tenant-books.js';
import { computeTotals } from './totals.js';
import { cents, money, msDate, wireDay } from './wire-format.js';
import { ValidationFailure } from './xero-errors.js';

/** Invoices (ACCREC, and bills as ACCPAY) and credit notes share one shape and one set of rules. */
export interface DocumentKind {
  collection: 'Invoices' | 'CreditNotes';
  idField: 'InvoiceID' | 'CreditNoteID';
  numberField: 'InvoiceNumber' | 'CreditNoteNumber';
  types: string[];
  /** Sales types whose numbers Xero keeps unique (a bill's number is the supplier's reference). */
  uniqueTypes: string[];
  numberLabel: string;
  prefix: string;
}

export const invoiceKind: DocumentKind = {
  collection: 'Invoices',
  idField: 'InvoiceID',
  numberField: 'InvoiceNumber',
  types: ['ACCREC', 'ACCPAY'],
  uniqueTypes: ['ACCREC'],
  numberLabel: 'Invoice #',
  prefix: 'INV-',
};

export const creditNoteKind: DocumentKind = {
  collection: 'CreditNotes',
  idField: 'CreditNoteID',
  numberField: 'CreditNoteNumber',
  types: ['ACCRECCREDIT', 'ACCPAYCREDIT'],
  uniqueTypes: ['ACCRECCREDIT'],
  numberLabel: 'Credit Note #',
  prefix: 'CN-',
};

const EDITABLE = ['DRAFT', 'SUBMITTED', 'AUTHORISED'];
const DEAD = ['DELETED', 'VOIDED'];

/** Validates and stores a create (existing undefined) or an update; throws ValidationFailure. */
export function upsertDocument(
  books: TenantBooks,
  kind: DocumentKind,
  input: Wire,
  existing: Wire | undefined,
  now: number,
): Wire {
  const merged: Wire = { ...(existing ?? {}), ...input };
  const problems: string[] = [];
  const type = str(merged.Type) ?? '';
  if (!kind.types.includes(type)) problems.push(`Type must be one of ${kind.types.join(', ')}`);
  const status = str(merged.Status) ?? 'DRAFT';
  if (existing) {
    const from = str(existing.Status) ?? '';
    const paidSomething = cents(existing.AmountPaid) !== 0n || cents(existing.AmountCredited) !== 0n;
    if (!EDITABLE.includes(from) || (paidSomething && input.LineItems !== undefined)) {
      problems.push(
        `${kind.collection === 'Invoices' ? 'Invoice' : 'Credit note'} not of valid status for modification`,
      );
    }
  } else if (!EDITABLE.includes(status)) {
    problems.push(`Status ${status} is not valid for a new document`);
  }
  const contact = resolveContact(books, obj(merged.Contact), problems);
  const lines = arr(merged.LineItems);
  if (lines.length === 0 && status !== 'DRAFT') problems.push('At least one line item is required');
  for (const line of lines) checkLine(books, line, problems);

  let number = str(merged[kind.numberField]);
  if (!number) number = `${kind.prefix}${String(books[kind.collection].length + 1).padStart(4, '0')}`;
  const id = str(existing?.[kind.idField]) ?? randomUUID();
  if (kind.uniqueTypes.includes(type)) {
    const clash = books[kind.collection].find(
      (doc) =>
        doc[kind.idField] !== id &&
        doc.Type === type &&
        !DEAD.includes(str(doc.Status) ?? '') &&
        sameText(doc[kind.numberField], number),
    );
    if (clash) problems.push(`${kind.numberLabel} must be unique.`);
  }
  const lineAmountTypes = str(merged.LineAmountTypes) ?? 'Exclusive';
  if (!['Exclusive', 'Inclusive', 'NoTax'].includes(lineAmountTypes))
    problems.push('LineAmountTypes is invalid');
  const totals = computeTotals(lines, lineAmountTypes, (taxType) => taxRateOf(books, taxType));
  problems.push(...totals.problems.map((p) => p.message));
  const date = wireDay(merged.Date, now);
  problems.push(...lockProblems(books, date.ms, status));
  if (existing)
    problems.push(...lockProblems(books, wireDay(existing.Date, now).ms, str(existing.Status) ?? ''));
  if (problems.length > 0) throw new ValidationFailure(input, [...new Set(problems)]);

  const stored: Wire = {
    Type: type,
    [kind.idField]: id,
    [kind.numberField]: number,
    Reference: str(merged.Reference) ?? '',
    Contact: contact,
    Date: date.wire,
    ...(merged.DueDate !== undefined ? { DueDate: wireDay(merged.DueDate, now).wire } : {}),
    Status: status,
    LineAmountTypes: lineAmountTypes,
    LineItems: totals.lines.map((line) => ({ LineItemID: str(line.LineItemID) ?? randomUUID(), ...line })),
    SubTotal: totals.SubTotal,
    TotalTax: totals.TotalTax,
    Total: totals.Total,
    CurrencyCode: str(merged.CurrencyCode) ?? books.baseCurrency,
    CurrencyRate: 1,
    UpdatedDateUTC: msDate(now),
    HasAttachments: false,
  };
  if (kind.collection === 'Invoices') {
    stored.Payments = arr(existing?.Payments);
    stored.CreditNotes = arr(existing?.CreditNotes);
    stored.AmountPaid = existing?.AmountPaid ?? 0;
    stored.AmountCredited = existing?.AmountCredited ?? 0;
    stored.AmountDue = money(cents(stored.Total) - cents(stored.AmountPaid) - cents(stored.AmountCredited));
  } else {
    stored.Allocations = arr(existing?.Allocations);
    const allocated = arr(stored.Allocations).reduce((sum, a) => sum + cents(a.Amount), 0n);
    stored.RemainingCredit = money(cents(stored.Total) - allocated);
  }
  const list = books[kind.collection];
  const at = list.findIndex((doc) => doc[kind.idField] === id);
  if (at >= 0) list[at] = stored;
  else list.push(stored);
  return stored;
}

function resolveContact(books: TenantBooks, contact: Wire, problems: string[]): Wire {
  const id = str(contact.ContactID);
  const found = id
    ? books.Contacts.find((c) => c.ContactID === id)
    : books.Contacts.find((c) => sameText(c.Name, contact.Name));
  if (!found) {
    problems.push(id ? `The contact with ContactID ${id} could not be found` : 'A Contact must be specified');
    return contact;
  }
  return { ContactID: found.ContactID, Name: found.Name };
}

function checkLine(books: TenantBooks, line: Wire, problems: string[]): void {
  const account = str(line.AccountCode);
  if (account !== undefined && !books.Accounts.some((a) => sameText(a.Code, account))) {
    problems.push(`Account code '${account}' is not a valid code for this document.`);
  }
  const taxType = str(line.TaxType);
  if (taxType !== undefined && taxType !== '' && taxRateOf(books, taxType) === undefined) {
    problems.push(
      `The TaxType code '${taxType}' does not exist or cannot be used for this type of transaction.`,
    );
  }
  const itemCode = str(line.ItemCode);
  if (itemCode !== undefined) {
    if (itemCode.length > 30) problems.push(`Item code '${itemCode}' must be 30 characters or less.`);
    else if (!books.Items.some((item) => sameText(item.Code, itemCode))) {
      problems.push(`Item code '${itemCode}' is not valid.`);
    }
  }
  for (const tracking of arr(line.Tracking)) {
    const category = books.TrackingCategories.find(
      (c) =>
        (tracking.TrackingCategoryID && c.TrackingCategoryID === tracking.TrackingCategoryID) ||
        (tracking.Name && sameText(c.Name, tracking.Name)),
    );
    const option = arr(category?.Options).find(
      (o) =>
        (tracking.TrackingOptionID && o.TrackingOptionID === tracking.TrackingOptionID) ||
        (tracking.Option && sameText(o.Name, tracking.Option)),
    );
    if (!category || !option) problems.push('The tracking category or option does not exist.');
  }
}

export function taxRateOf(books: TenantBooks, taxType: string): string | number | undefined {
  const rate = books.TaxRates.find((r) => sameText(r.TaxType, taxType));
  if (!rate) return undefined;
  return (rate.EffectiveRate ?? rate.DisplayTaxRate ?? 0) as number;
}

/** AmountDue, AmountPaid, AmountCredited and PAID/AUTHORISED after payments or allocations change. */
export function settleInvoice(invoice: Wire, now: number): void {
  const paid = arr(invoice.Payments).reduce((sum, p) => sum + cents(p.Amount), 0n);
  const credited = arr(invoice.CreditNotes).reduce((sum, c) => sum + cents(c.AppliedAmount), 0n);
  const due = cents(invoice.Total) - paid - credited;
  invoice.AmountPaid = money(paid);
  invoice.AmountCredited = money(credited);
  invoice.AmountDue = money(due);
  if (due === 0n && invoice.Status === 'AUTHORISED') {
    invoice.Status = 'PAID';
    invoice.FullyPaidOnDate = msDate(now);
  } else if (due !== 0n && invoice.Status === 'PAID') {
    invoice.Status = 'AUTHORISED';
    delete invoice.FullyPaidOnDate;
  }
  invoice.UpdatedDateUTC = msDate(now);
}
