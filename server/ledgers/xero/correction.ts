import type { Allocations, PaymentDelete, Payments } from 'xero-node';
import { z } from 'zod';
import { minorToNumber, toMinor } from '../../shared/money.js';
import type { LedgerCorrection, Settlement } from '../ledger.js';
import { LedgerError } from '../ledger-error.js';
import { idempotencyKeyFor, type XeroApi } from './api.js';
import { XERO_AMOUNT_DECIMALS } from './currency.js';
import { allocationWire, envelope, fromMsDate, paymentWire } from './wire.js';

/**
 * Xero refuses to change the lines of an invoice with a payment or credit note allocated to it
 * ("This document cannot be edited as it has a payment or credit note allocated to it",
 * XeroAPI/Xero-NetStandard#84), and a payment cannot be edited either: it is deleted (POST
 * /Payments/{id} with Status DELETED only) and a new one created (XeroAPI/xero-php-oauth2#91,
 * xero_accounting.yaml deletePayment). A credit note's allocation is deleted with DELETE
 * /CreditNotes/{id}/Allocations/{allocationId} (deleteCreditNoteAllocations) and allocated again.
 */

const fullPayment = paymentWire.extend({
  Reference: z.string().optional(),
  Account: z.looseObject({ Code: z.string().optional(), AccountID: z.string().optional() }).optional(),
});
const creditNoteAllocations = z.looseObject({
  CreditNoteID: z.string(),
  CreditNoteNumber: z.string().optional(),
  CurrencyCode: z.string().optional(),
  Allocations: z
    .array(
      z.looseObject({
        AllocationID: z.string().optional(),
        Amount: z.number(),
        Date: z.string().optional(),
        IsDeleted: z.boolean().optional(),
        Invoice: z.looseObject({ InvoiceID: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});
const invoiceCredits = z.looseObject({
  InvoiceID: z.string(),
  CurrencyCode: z.string(),
  CreditNotes: z.array(z.looseObject({ CreditNoteID: z.string() })).optional(),
});

const day = (wireDate: string | undefined) => (wireDate ? fromMsDate(wireDate).slice(0, 10) : '');

export function xeroCorrection(xero: XeroApi): LedgerCorrection {
  const payments = envelope('Payments', fullPayment);
  const creditNotes = envelope('CreditNotes', creditNoteAllocations);
  const readCreditNote = async (id: string) =>
    (await xero.call(creditNotes, (api, t) => api.getCreditNote(t, id))).CreditNotes[0];

  async function settlementsOf(invoiceId: string): Promise<Settlement[]> {
    // One call for the payments (deleted ones included, skipped), one for the invoice's credits, one
    // per credit note applied (its allocations carry the ids the delete needs).
    const paid = await xero.call(payments, (api, t) =>
      api.getPayments(t, undefined, `Invoice.InvoiceID==Guid("${invoiceId}")`, 'UpdatedDateUTC ASC'),
    );
    const out: Settlement[] = paid.Payments.filter((p) => p.Status !== 'DELETED').map((p) => ({
      kind: 'payment' as const,
      id: p.PaymentID,
      amountMinor: toMinor(p.Amount, XERO_AMOUNT_DECIMALS),
      decimals: XERO_AMOUNT_DECIMALS,
      currency: p.Invoice?.CurrencyCode ?? '',
      date: day(p.Date),
      accountCode: p.Account?.Code,
      reference: p.Reference || undefined,
    }));
    const invoice = (
      await xero.call(envelope('Invoices', invoiceCredits), (api, t) => api.getInvoice(t, invoiceId))
    ).Invoices[0];
    for (const applied of invoice?.CreditNotes ?? []) {
      const note = await readCreditNote(applied.CreditNoteID);
      for (const allocation of note?.Allocations ?? []) {
        if (allocation.IsDeleted || allocation.Invoice?.InvoiceID !== invoiceId || !allocation.AllocationID)
          continue;
        out.push({
          kind: 'credit',
          id: allocation.AllocationID,
          creditId: applied.CreditNoteID,
          creditNumber: note?.CreditNoteNumber,
          amountMinor: toMinor(allocation.Amount, XERO_AMOUNT_DECIMALS),
          decimals: XERO_AMOUNT_DECIMALS,
          currency: note?.CurrencyCode ?? invoice?.CurrencyCode ?? '',
          date: day(allocation.Date),
        });
      }
    }
    return out;
  }

  async function takeOff(settlement: Settlement): Promise<void> {
    if (settlement.kind === 'payment') {
      // Read first: an earlier attempt whose answer was lost may have deleted it (Xero refuses a
      // second delete), and the read tells without a failed write.
      const [now] = (await xero.call(payments, (api, t) => api.getPayment(t, settlement.id))).Payments;
      if (!now || now.Status === 'DELETED') return;
      const body = xero.model<PaymentDelete>({ Status: 'DELETED' }, 'PaymentDelete');
      await xero.call(payments, (api, t) => api.deletePayment(t, settlement.id, body));
      return;
    }
    const note = settlement.creditId ? await readCreditNote(settlement.creditId) : undefined;
    const live = note?.Allocations?.some((a) => a.AllocationID === settlement.id && !a.IsDeleted);
    if (!live || !settlement.creditId) return;
    const creditId = settlement.creditId;
    await xero.call(z.unknown(), (api, t) => api.deleteCreditNoteAllocations(t, creditId, settlement.id));
  }

  async function putBack(settlement: Settlement, invoiceId: string, key: string): Promise<{ id: string }> {
    const amount = minorToNumber(settlement.amountMinor, settlement.decimals);
    if (settlement.kind === 'payment') {
      const wire = {
        Payments: [
          {
            Invoice: { InvoiceID: invoiceId },
            ...(settlement.accountCode ? { Account: { Code: settlement.accountCode } } : {}),
            Amount: amount,
            Date: settlement.date,
            ...(settlement.reference ? { Reference: settlement.reference } : {}),
          },
        ],
      };
      const body = await xero.call(payments, (api, t) =>
        api.createPayments(t, xero.model<Payments>(wire, 'Payments'), true, idempotencyKeyFor(key)),
      );
      return { id: first(body.Payments, 'payment').PaymentID };
    }
    if (!settlement.creditId)
      throw new LedgerError({
        code: 'ledger_bad_response',
        providerMessage: `Allocation ${settlement.id} names no credit note to allocate again`,
        retryable: false,
      });
    const creditId = settlement.creditId;
    const wire = {
      Allocations: [{ Invoice: { InvoiceID: invoiceId }, Amount: amount, Date: settlement.date }],
    };
    const body = await xero.call(envelope('Allocations', allocationWire), (api, t) =>
      api.createCreditNoteAllocation(
        t,
        creditId,
        xero.model<Allocations>(wire, 'Allocations'),
        true,
        idempotencyKeyFor(key),
      ),
    );
    return { id: first(body.Allocations, 'allocation').AllocationID ?? `${creditId}:${invoiceId}` };
  }

  return { settlementsOf, takeOff, putBack };
}

function first<T>(list: T[], what: string): T {
  const [item] = list;
  if (item === undefined)
    throw new LedgerError({
      code: 'ledger_bad_response',
      providerMessage: `Xero returned no ${what}`,
      retryable: false,
    });
  return item;
}
