import { z } from 'zod';
import { toMinor } from '../../shared/money.js';
import type {
  LedgerCreditAllocation,
  LedgerCreditApplied,
  LedgerDocumentRef,
  LedgerPayment,
} from '../ledger.js';
import { qboDecimals } from './mapping.js';
import { parse } from './parse-wire.js';
import { paymentsOfRows } from './payments.js';
import { linkedTxnSchema, paymentSchema } from './wire.js';

/**
 * Pure parts of QBO's documentState (client.ts): an Invoice lists the payments applied to it in its
 * `LinkedTxn` (TxnType "Payment"; Intuit's Invoice reference), and a credit applied in the UI is a
 * Payment whose CreditMemo lines fund its invoice lines (person-routes.ts in the simulator), so both
 * the money and the credits come from those Payments.
 */

const amount = z.union([z.number(), z.string()]);
const linksAndTax = z.looseObject({
  LinkedTxn: z.array(linkedTxnSchema).optional(),
  TxnTaxDetail: z.looseObject({ TotalTax: amount.optional() }).optional(),
});

/** The ids of the Payments an invoice names, and its tax, in the invoice's own precision. */
export function linksOf(entity: unknown, currency: string): { paymentIds: string[]; taxMinor: bigint } {
  const wire = parse(linksAndTax, entity);
  return {
    paymentIds: [
      ...new Set((wire.LinkedTxn ?? []).filter((l) => l.TxnType === 'Payment').map((l) => l.TxnId)),
    ],
    taxMinor: toMinor(wire.TxnTaxDetail?.TotalTax ?? 0, qboDecimals(currency)),
  };
}

type Linked = 'Invoice' | 'CreditMemo';

/**
 * What one Payment moved from a document (`from`: the invoice or credit memo it funds or is funded
 * by) to each document of the other type on its lines: the `from` document's amount on the payment
 * is spent over the other lines in order, each at most its own line. A credit memo and the invoice
 * it was applied to pair this way from either side. Pure.
 */
function pairedOn(
  payment: z.infer<typeof paymentSchema>,
  from: { type: Linked; id: string },
  other: Linked,
): { txnId: string; amountMinor: bigint; decimals: number; date: string }[] {
  const decimals = qboDecimals(payment.CurrencyRef?.value);
  const lines = payment.Line ?? [];
  let left = 0n;
  for (const line of lines)
    if (line.LinkedTxn?.some((l) => l.TxnType === from.type && l.TxnId === from.id))
      left += toMinor(line.Amount ?? 0, decimals);
  const out: { txnId: string; amountMinor: bigint; decimals: number; date: string }[] = [];
  for (const line of lines) {
    const linked = line.LinkedTxn?.find((l) => l.TxnType === other);
    if (!linked || left <= 0n) continue;
    const lineMinor = toMinor(line.Amount ?? 0, decimals);
    const applied = lineMinor < left ? lineMinor : left;
    left -= applied;
    if (applied > 0n)
      out.push({ txnId: linked.TxnId, amountMinor: applied, decimals, date: payment.TxnDate ?? '' });
  }
  return out;
}

/**
 * The money received on `invoiceId` and the credits applied to it, from the Payment rows it links:
 * a credit funds the invoice lines of its payment first (as paymentsOfRows counts it), each credit
 * memo for at most its own line.
 */
export function settlementsOf(
  rows: unknown[],
  invoiceId: string,
): { payments: LedgerPayment[]; credits: Omit<LedgerCreditApplied, 'creditNumber'>[] } {
  const payments = paymentsOfRows(rows).filter((p) => p.state === 'active' && p.documentId === invoiceId);
  const credits = rows.flatMap((row) =>
    pairedOn(parse(paymentSchema, row), { type: 'Invoice', id: invoiceId }, 'CreditMemo').map(
      ({ txnId, ...rest }) => ({ creditId: txnId, ...rest }),
    ),
  );
  return { payments, credits };
}

/**
 * Where the Payments a credit memo links applied it: each Payment with a line funded by `creditMemoId`
 * credits the invoice lines beside it, up to that line's amount (the same pairing settlementsOf
 * reads from the invoice's side). Invoice numbers are filled in by the caller.
 */
export function allocationsOf(
  rows: unknown[],
  creditMemoId: string,
): Omit<LedgerCreditAllocation, 'invoiceNumber'>[] {
  return rows.flatMap((row) =>
    pairedOn(parse(paymentSchema, row), { type: 'CreditMemo', id: creditMemoId }, 'Invoice').map(
      ({ txnId, ...rest }) => ({ invoiceId: txnId, ...rest }),
    ),
  );
}

/** Documents carrying the number that are not ours and not voided: someone else's in our number. */
export const othersOf = (refs: LedgerDocumentRef[], id: string) =>
  refs.filter((r) => r.id !== id && r.status !== 'voided' && r.status !== 'deleted');
