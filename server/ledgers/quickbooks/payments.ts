import { toMinor } from '../../shared/money.js';
import type { LedgerPayment } from '../ledger.js';
import { qboDecimals } from './mapping.js';
import { parse } from './parse-wire.js';
import { cdcResponseSchema, deletedSchema, paymentSchema } from './wire.js';

/** QBO's CDC returns at most this many objects per entity; a full page means "ask again". */
export const cdcPageLimit = 1000;

/**
 * One LedgerPayment per payment line applied to an invoice, for the money received: a credit
 * application (a Payment whose credit memo lines fund its invoice lines) brings none. A deleted payment arrives as
 * a bare {Id, status: "Deleted"}: its invoice is unknown, so documentId is empty.
 */
export function paymentsFromCdc(body: unknown): {
  payments: LedgerPayment[];
  lastUpdated: Date | undefined;
  full: boolean;
} {
  const cdc = parse(cdcResponseSchema, body);
  const rows = cdc.CDCResponse.flatMap((r) => r.QueryResponse ?? []).flatMap(
    (q) => (q.Payment ?? []) as unknown[],
  );
  let lastUpdated: Date | undefined;
  for (const row of rows) {
    const updatedAt = (row as { MetaData?: { LastUpdatedTime?: string } }).MetaData?.LastUpdatedTime ?? '';
    const when = new Date(updatedAt);
    if (!Number.isNaN(when.getTime()) && (!lastUpdated || when > lastUpdated)) lastUpdated = when;
  }
  return { payments: paymentsOfRows(rows), lastUpdated, full: rows.length >= cdcPageLimit };
}

/** A payment QBO deleted: nothing of it can be read but its id (CDC and webhooks alike). */
export const deletedPayment = (id: string, updatedAt: string): LedgerPayment => ({
  id,
  documentId: '',
  documentNumber: undefined,
  amountMinor: 0n,
  currency: '',
  decimals: 0,
  date: '',
  state: 'deleted',
  updatedAt,
});

/**
 * The LedgerPayments of Payment rows, as CDC, a query or a read by id (a webhook's targeted read)
 * return them, oldest change first.
 */
export function paymentsOfRows(rows: unknown[]): LedgerPayment[] {
  const payments: LedgerPayment[] = [];
  for (const row of rows) {
    const updatedAt = (row as { MetaData?: { LastUpdatedTime?: string } }).MetaData?.LastUpdatedTime ?? '';
    if ((row as { status?: string }).status === 'Deleted') {
      payments.push(deletedPayment(parse(deletedSchema, row).Id, updatedAt));
      continue;
    }
    const payment = parse(paymentSchema, row);
    const currency = payment.CurrencyRef?.value ?? 'USD';
    const decimals = qboDecimals(currency);
    if (isVoided(payment, decimals)) {
      // A voided payment stays in queries and CDC with every amount 0 (domain.md §8): report it
      // once per invoice it named (the void keeps the links, or clears the lines: then the
      // invoice is unknown here and the payments table knows it by the payment id).
      const invoices = new Set(
        (payment.Line ?? []).flatMap((line) =>
          (line.LinkedTxn ?? []).filter((l) => l.TxnType === 'Invoice').map((l) => l.TxnId),
        ),
      );
      for (const documentId of invoices.size > 0 ? invoices : new Set([''])) {
        payments.push({
          id: payment.Id,
          documentId,
          documentNumber: undefined,
          amountMinor: 0n,
          currency,
          decimals,
          date: payment.TxnDate ?? '',
          state: 'voided',
          updatedAt,
        });
      }
      continue;
    }
    // Lines linked to a credit memo apply a credit, not money: the same amount on the invoice
    // lines is the credit's, so only what is left of them is money received.
    let creditLeft = 0n;
    for (const line of payment.Line ?? []) {
      if (line.LinkedTxn?.some((link) => link.TxnType === 'CreditMemo'))
        creditLeft += toMinor(line.Amount ?? 0, decimals);
    }
    for (const line of payment.Line ?? []) {
      for (const link of line.LinkedTxn ?? []) {
        if (link.TxnType !== 'Invoice') continue;
        const lineMinor = toMinor(line.Amount ?? 0, decimals);
        const fromCredit = creditLeft < lineMinor ? creditLeft : lineMinor;
        creditLeft -= fromCredit;
        if (lineMinor - fromCredit <= 0n) continue;
        payments.push({
          id: payment.Id,
          documentId: link.TxnId,
          documentNumber: undefined,
          amountMinor: lineMinor - fromCredit,
          currency,
          decimals,
          date: payment.TxnDate ?? '',
          state: 'active',
          updatedAt,
        });
      }
    }
  }
  payments.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
  return payments;
}

/**
 * Intuit's Payment reference: a void zeroes every amount and prepends "Voided" to PrivateNote
 * (quoted in Wish-Org/QuickBooksSharp#8). Both together, so a note of a person's own that starts
 * with "Voided" does not void a payment that still carries money.
 */
function isVoided(
  payment: { PrivateNote?: string | undefined; TotalAmt?: number | string | undefined },
  decimals: number,
) {
  return (
    payment.PrivateNote?.startsWith('Voided') === true && toMinor(payment.TotalAmt ?? 0, decimals) === 0n
  );
}
