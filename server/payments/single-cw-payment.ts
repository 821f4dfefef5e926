import type { ConnectWiseClient, Payment } from '../connectwise/index.js';
import type { Db } from '../db/database.js';
import type { RecordRow } from '../db/schema.js';
import { minorToNumber, toMinor } from '../shared/money.js';

/**
 * One payment per ConnectWise invoice (tenant setting cwPaymentsPerInvoice 'one'; integration vendors
 * report CW allows no second payment, domain.md §8). Every ledger payment of the invoice goes into
 * the invoice's single CW payment, whose amount is always *replaced* with a figure computed from
 * stored rows, never incremented, so a write repeated after a crash or a lost answer changes nothing:
 *
 * - each payments row stores `cw_before_minor`, the CW payment's amount before its share, before
 *   anything is written to CW (migration 0012);
 * - writing a row: amount = its `cw_before_minor` + its share;
 * - taking a row out (voided or deleted in the ledger): amount = the base (the earliest row's
 *   `cw_before_minor`: what was there before Ledgerpod's first share) + the shares of the other rows
 *   still written; at zero the CW payment is removed.
 */

export interface PaymentRow {
  id: string;
  amount_minor: string | number | bigint;
  cw_payment_id: string | number | bigint | null;
  cw_before_minor: string | number | bigint | null;
  paid_on: Date | string;
}

/** The invoice's own payment (credit memo applications are listed beside it), ours first. */
async function singlePaymentOf(
  cw: ConnectWiseClient,
  cwId: number,
  preferred: number | undefined,
): Promise<Payment | undefined> {
  const own = (await cw.listInvoicePayments(cwId)).filter(
    (p) => !(p as { creditMemo?: unknown }).creditMemo && !/credit/i.test(p.type ?? ''),
  );
  return own.find((p) => p.id === preferred) ?? own.sort((a, b) => a.id - b.id)[0];
}

/** Adds the row's share to the invoice's single CW payment (made if there is none); its CW id. */
export async function writeIntoSingleCwPayment(
  deps: { db: Db; cw: ConnectWiseClient },
  record: RecordRow,
  row: PaymentRow,
  paidOn: string,
): Promise<number> {
  const cwId = Number(record.cw_id);
  const preferred = row.cw_payment_id === null ? undefined : Number(row.cw_payment_id);
  const existing = await singlePaymentOf(deps.cw, cwId, preferred);
  const existingMinor = existing ? toMinor(existing.amount ?? 0, record.decimals) : 0n;
  let before = row.cw_before_minor === null ? undefined : BigInt(row.cw_before_minor);
  if (before === undefined) {
    // Stored before CW is touched: a retry of this row replaces the amount with the same figure.
    before = existingMinor;
    await deps.db
      .updateTable('payments')
      .set({ cw_before_minor: String(before), cw_payment_id: existing ? String(existing.id) : null })
      .where('id', '=', row.id)
      .execute();
  }
  const target = before + BigInt(row.amount_minor);
  const amount = minorToNumber(target, record.decimals);
  if (existing) {
    if (existingMinor !== target) await deps.cw.updateInvoicePaymentAmount(cwId, existing.id, amount);
    return existing.id;
  }
  const created = await deps.cw.createInvoicePayment(cwId, {
    amount,
    paymentDate: `${paidOn}T00:00:00Z`,
    type: 'Payment',
  });
  return created.id;
}

/**
 * Takes a row's share back out of the invoice's single CW payment (removed at zero). Answers whether
 * CW held anything of it.
 */
export async function takeOutOfSingleCwPayment(
  deps: { db: Db; cw: ConnectWiseClient },
  record: RecordRow,
  row: PaymentRow,
): Promise<{ removed: boolean; cwPaymentId?: number }> {
  const cwId = Number(record.cw_id);
  const preferred = row.cw_payment_id === null ? undefined : Number(row.cw_payment_id);
  const existing = await singlePaymentOf(deps.cw, cwId, preferred);
  if (!existing) return { removed: false };
  const rows = await deps.db
    .selectFrom('payments')
    .select(['id', 'amount_minor', 'cw_before_minor', 'state'])
    .where('record_id', '=', record.id)
    .where('cw_payment_id', '=', String(existing.id))
    .where('cw_before_minor', 'is not', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const base = rows[0] ? BigInt(rows[0].cw_before_minor!) : 0n;
  const target = rows
    .filter((r) => r.id !== row.id && r.state === 'written')
    .reduce((sum, r) => sum + BigInt(r.amount_minor), base);
  const existingMinor = toMinor(existing.amount ?? 0, record.decimals);
  if (target <= 0n) await deps.cw.deleteInvoicePayment(cwId, existing.id);
  else if (existingMinor !== target)
    await deps.cw.updateInvoicePaymentAmount(cwId, existing.id, minorToNumber(target, record.decimals));
  return { removed: true, cwPaymentId: existing.id };
}
