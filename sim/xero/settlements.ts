import { randomUUID } from 'node:crypto';
import { settleInvoice } from './documents.js';
import { arr, obj, sameText, str, type TenantBooks, type Wire } from './tenant-books.js';
import { cents, money, msDate, wireDay } from './wire-format.js';
import { ValidationFailure } from './xero-errors.js';

/** Payments and credit allocations: the money that moves an invoice towards PAID. */

export function recordPayment(books: TenantBooks, input: Wire, now: number): Wire {
  const invoiceRef = obj(input.Invoice);
  const invoice = books.Invoices.find(
    (i) =>
      (invoiceRef.InvoiceID && i.InvoiceID === invoiceRef.InvoiceID) ||
      (invoiceRef.InvoiceNumber && sameText(i.InvoiceNumber, invoiceRef.InvoiceNumber)),
  );
  const accountRef = obj(input.Account);
  const account =
    accountRef.Code || accountRef.AccountID
      ? books.Accounts.find((a) => sameText(a.Code, accountRef.Code) || a.AccountID === accountRef.AccountID)
      : books.Accounts.find((a) => a.Type === 'BANK' || a.EnablePaymentsToAccount === true);
  const amount = cents(input.Amount);
  const problems: string[] = [];
  if (!invoice) problems.push('Invoice could not be found');
  else if (invoice.Status !== 'AUTHORISED') problems.push('Invoice not of valid status for modification');
  else if (amount > cents(invoice.AmountDue)) {
    problems.push('Payment amount exceeds the amount outstanding on this document');
  }
  if (amount <= 0n) problems.push('Payment amount must be greater than zero');
  if (!account) problems.push('Account could not be found');
  if (problems.length > 0 || !invoice || !account) throw new ValidationFailure(input, problems);

  const payment: Wire = {
    PaymentID: randomUUID(),
    Date: wireDay(input.Date, now).wire,
    Amount: money(amount),
    BankAmount: money(amount),
    CurrencyRate: 1,
    Reference: str(input.Reference) ?? '',
    IsReconciled: false,
    Status: 'AUTHORISED',
    PaymentType: invoice.Type === 'ACCPAY' ? 'ACCPAYPAYMENT' : 'ACCRECPAYMENT',
    UpdatedDateUTC: msDate(now),
    Account: { AccountID: account.AccountID, Code: account.Code },
    Invoice: {
      InvoiceID: invoice.InvoiceID,
      InvoiceNumber: invoice.InvoiceNumber,
      Type: invoice.Type,
      CurrencyCode: invoice.CurrencyCode,
      Contact: invoice.Contact,
    },
    HasAccount: true,
    HasValidationErrors: false,
  };
  books.Payments.push(payment);
  invoice.Payments = [
    ...arr(invoice.Payments),
    // As Xero lists them on the invoice: with the payment's Reference (invoice-get.200.json).
    {
      PaymentID: payment.PaymentID,
      Date: payment.Date,
      Amount: payment.Amount,
      Reference: payment.Reference,
      CurrencyRate: 1,
    },
  ];
  settleInvoice(invoice, now);
  return payment;
}

/** Xero never removes a payment: it turns DELETED and the invoice owes the money again. */
export function deletePayment(books: TenantBooks, paymentId: string, now: number): Wire | undefined {
  const payment = books.Payments.find((p) => p.PaymentID === paymentId);
  if (!payment) return undefined;
  if (payment.Status === 'DELETED')
    throw new ValidationFailure(payment, ['Payment has already been deleted']);
  payment.Status = 'DELETED';
  payment.UpdatedDateUTC = msDate(now);
  const invoice = books.Invoices.find((i) => i.InvoiceID === obj(payment.Invoice).InvoiceID);
  if (invoice) {
    invoice.Payments = arr(invoice.Payments).filter((p) => p.PaymentID !== paymentId);
    settleInvoice(invoice, now);
  }
  return payment;
}

export function allocateCredit(
  books: TenantBooks,
  creditNoteId: string,
  input: Wire,
  now: number,
): { allocation: Wire; invoice: Wire; creditNote: Wire } | undefined {
  const creditNote = books.CreditNotes.find((c) => c.CreditNoteID === creditNoteId);
  if (!creditNote) return undefined;
  const invoice = books.Invoices.find((i) => i.InvoiceID === obj(input.Invoice).InvoiceID);
  const amount = cents(input.Amount);
  const problems: string[] = [];
  if (creditNote.Status !== 'AUTHORISED') problems.push('Credit note not of valid status for allocation');
  if (!invoice) problems.push('Invoice could not be found');
  else {
    if (invoice.Status !== 'AUTHORISED') problems.push('Invoice not of valid status for modification');
    if (amount > cents(invoice.AmountDue)) {
      problems.push('The amount being allocated exceeds the amount due on the invoice');
    }
    if (invoice.CurrencyCode !== creditNote.CurrencyCode) problems.push('Currencies must match');
  }
  if (amount > cents(creditNote.RemainingCredit)) problems.push('Allocation exceeds the remaining credit');
  if (amount <= 0n) problems.push('Allocation amount must be greater than zero');
  if (problems.length > 0 || !invoice) throw new ValidationFailure(input, problems);

  const date = wireDay(input.Date, now).wire;
  const allocation: Wire = {
    AllocationID: randomUUID(),
    Amount: money(amount),
    Date: date,
    Invoice: { InvoiceID: invoice.InvoiceID, InvoiceNumber: invoice.InvoiceNumber },
    CreditNote: { CreditNoteID: creditNote.CreditNoteID, CreditNoteNumber: creditNote.CreditNoteNumber },
    IsDeleted: false,
  };
  creditNote.Allocations = [...arr(creditNote.Allocations), allocation];
  const remaining = cents(creditNote.RemainingCredit) - amount;
  creditNote.RemainingCredit = money(remaining);
  if (remaining === 0n) creditNote.Status = 'PAID';
  creditNote.UpdatedDateUTC = msDate(now);
  invoice.CreditNotes = [
    ...arr(invoice.CreditNotes),
    {
      CreditNoteID: creditNote.CreditNoteID,
      CreditNoteNumber: creditNote.CreditNoteNumber,
      AppliedAmount: money(amount),
      Date: date,
      Total: creditNote.Total,
    },
  ];
  settleInvoice(invoice, now);
  return { allocation, invoice, creditNote };
}

/**
 * DELETE /CreditNotes/{id}/Allocations/{allocationId} (xero_accounting.yaml
 * deleteCreditNoteAllocations: "Success - return response of type Allocation with the isDeleted flag
 * as true"): the credit is open again and the invoice owes the amount. The allocation stays listed
 * with IsDeleted true. A second delete of the same allocation is refused: a guess (Xero documents
 * no answer for it), the same as a second payment delete.
 */
export function deleteAllocation(
  books: TenantBooks,
  creditNoteId: string,
  allocationId: string,
  now: number,
): { allocation: Wire; invoice: Wire | undefined } | undefined {
  const creditNote = books.CreditNotes.find((c) => c.CreditNoteID === creditNoteId);
  const allocation = arr(creditNote?.Allocations).find((a) => a.AllocationID === allocationId);
  if (!creditNote || !allocation) return undefined;
  if (allocation.IsDeleted === true)
    throw new ValidationFailure(allocation, ['Allocation has already been deleted']);
  allocation.IsDeleted = true;
  const remaining = cents(creditNote.RemainingCredit) + cents(allocation.Amount);
  creditNote.RemainingCredit = money(remaining);
  if (creditNote.Status === 'PAID' && remaining > 0n) creditNote.Status = 'AUTHORISED';
  creditNote.UpdatedDateUTC = msDate(now);
  const invoice = books.Invoices.find((i) => i.InvoiceID === obj(allocation.Invoice).InvoiceID);
  if (invoice) {
    const applied = arr(invoice.CreditNotes);
    const at = applied.findIndex(
      (c) =>
        c.CreditNoteID === creditNoteId &&
        cents(c.AppliedAmount) === cents(allocation.Amount) &&
        c.Date === allocation.Date,
    );
    if (at >= 0) applied.splice(at, 1);
    invoice.CreditNotes = applied;
    settleInvoice(invoice, now);
  }
  return { allocation, invoice };
}
