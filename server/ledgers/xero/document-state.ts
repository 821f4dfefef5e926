import { z } from 'zod';
import { toMinor } from '../../shared/money.js';
import type { LedgerCreditAllocation, LedgerCreditApplied, LedgerPayment } from '../ledger.js';
import { LedgerError } from '../ledger-error.js';
import { XERO_AMOUNT_DECIMALS } from './currency.js';
import { fromMsDate } from './wire.js';

/**
 * Pure part of Xero's documentState (client.ts): an invoice read by id carries its `Payments`
 * (PaymentID, Date, Amount, Reference) and the `CreditNotes` applied to it (CreditNoteID,
 * CreditNoteNumber, AppliedAmount, Date), and its `TotalTax` (test/conformance/xero/invoice-get.200.json;
 * Xero's Invoices reference). A deleted payment leaves the invoice's list.
 */
const settled = z.looseObject({
  InvoiceID: z.string(),
  InvoiceNumber: z.string().optional(),
  CurrencyCode: z.string(),
  UpdatedDateUTC: z.string().optional(),
  TotalTax: z.number().optional(),
  Payments: z
    .array(
      z.looseObject({
        PaymentID: z.string(),
        Date: z.string(),
        Amount: z.number(),
        Reference: z.string().optional(),
      }),
    )
    .optional(),
  CreditNotes: z
    .array(
      z.looseObject({
        CreditNoteID: z.string(),
        CreditNoteNumber: z.string().optional(),
        AppliedAmount: z.number().optional(),
        Date: z.string().optional(),
      }),
    )
    .optional(),
});

export function settlementsOfInvoice(wire: unknown): {
  taxMinor: bigint;
  payments: LedgerPayment[];
  credits: LedgerCreditApplied[];
} {
  const parsed = settled.safeParse(wire);
  if (!parsed.success)
    throw new LedgerError({
      code: 'ledger_bad_response',
      providerMessage: `unexpected Xero invoice: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      retryable: false,
    });
  const invoice = parsed.data;
  const decimals = XERO_AMOUNT_DECIMALS;
  const updatedAt = invoice.UpdatedDateUTC ? fromMsDate(invoice.UpdatedDateUTC) : new Date().toISOString();
  return {
    taxMinor: toMinor(invoice.TotalTax ?? 0, decimals),
    payments: (invoice.Payments ?? []).map((p) => ({
      id: p.PaymentID,
      documentId: invoice.InvoiceID,
      documentNumber: invoice.InvoiceNumber,
      amountMinor: toMinor(p.Amount, decimals),
      currency: invoice.CurrencyCode,
      decimals,
      date: fromMsDate(p.Date).slice(0, 10),
      state: 'active' as const,
      updatedAt,
    })),
    credits: (invoice.CreditNotes ?? []).map((c) => ({
      creditId: c.CreditNoteID,
      creditNumber: c.CreditNoteNumber,
      amountMinor: toMinor(c.AppliedAmount ?? 0, decimals),
      decimals,
      date: c.Date ? fromMsDate(c.Date).slice(0, 10) : '',
    })),
  };
}

const allocated = z.looseObject({
  Allocations: z
    .array(
      z.looseObject({
        Amount: z.number(),
        Date: z.string().optional(),
        Invoice: z.looseObject({ InvoiceID: z.string(), InvoiceNumber: z.string().optional() }),
        IsDeleted: z.boolean().optional(),
      }),
    )
    .optional(),
});

/**
 * Where a credit note read by id is allocated: its `Allocations` (Amount, Date, Invoice {InvoiceID,
 * InvoiceNumber}; xero_accounting.yaml CreditNote), a deleted one (IsDeleted) left out.
 */
export function allocationsOfCreditNote(wire: unknown): LedgerCreditAllocation[] {
  const parsed = allocated.safeParse(wire);
  if (!parsed.success)
    throw new LedgerError({
      code: 'ledger_bad_response',
      providerMessage: `unexpected Xero credit note: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      retryable: false,
    });
  return (parsed.data.Allocations ?? [])
    .filter((a) => a.IsDeleted !== true)
    .map((a) => ({
      invoiceId: a.Invoice.InvoiceID,
      invoiceNumber: a.Invoice.InvoiceNumber,
      amountMinor: toMinor(a.Amount, XERO_AMOUNT_DECIMALS),
      decimals: XERO_AMOUNT_DECIMALS,
      date: a.Date ? fromMsDate(a.Date).slice(0, 10) : '',
    }));
}
