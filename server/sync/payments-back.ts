import type { ConnectWiseClient } from '../connectwise/index.js';
import { ConnectWiseError } from '../connectwise/index.js';
import type { Db } from '../db/database.js';
import type { LedgerConnection, RecordRow } from '../db/schema.js';
import type { Ledger, LedgerPayment } from '../ledgers/ledger.js';
import { formatMinor, minorToNumber, toMinor } from '../money.js';
import type { RecordStore } from './record-store.js';
import { paidState } from './refresh-record.js';

export interface PaymentsBackDeps {
  db: Db;
  records: RecordStore;
  cw: ConnectWiseClient;
  ledger: Ledger;
  connection: LedgerConnection;
}

export interface PaymentsBackResult {
  seen: number;
  written: number;
  deleted: number;
  unmatched: number;
}

/** How far back the first sweep of a connection looks when no date was given. */
const firstSweepDays = 7;

/**
 * Writes each ledger payment applied to a document we pushed onto the CW invoice, once. A payment is
 * first stored `pending` (unique per connection, payment and record), then created in CW, then
 * marked `written` with the CW payment id; a CW answer lost in between is resolved by looking for
 * the payment on the invoice before creating it again.
 */
export async function syncPaymentsBack(deps: PaymentsBackDeps, since?: Date): Promise<PaymentsBackResult> {
  const from =
    since ??
    (deps.connection.payments_cursor
      ? new Date(deps.connection.payments_cursor)
      : new Date(Date.now() - firstSweepDays * 86_400_000));
  const result: PaymentsBackResult = { seen: 0, written: 0, deleted: 0, unmatched: 0 };
  let cursor = from;
  const touched = new Map<string, RecordRow>();
  for await (const page of deps.ledger.paymentsSince(from)) {
    for (const payment of page) {
      result.seen += 1;
      const updatedAt = new Date(payment.updatedAt);
      if (!Number.isNaN(updatedAt.getTime()) && updatedAt > cursor) cursor = updatedAt;
      if (payment.state === 'active') {
        const record = await recordFor(deps, payment);
        if (!record) {
          result.unmatched += 1;
          continue;
        }
        if (await writePayment(deps, record, payment)) result.written += 1;
        touched.set(record.id, record);
      } else {
        for (const record of await markDeleted(deps, payment)) {
          result.deleted += 1;
          touched.set(record.id, record);
        }
      }
    }
  }
  for (const record of touched.values()) await refreshBalance(deps, record);
  await deps.db
    .updateTable('ledger_connections')
    .set({ payments_cursor: cursor })
    .where('id', '=', deps.connection.id)
    .execute();
  return result;
}

/** The record a payment belongs to: by the stored ledger id, else by the exact CW number. */
async function recordFor(deps: PaymentsBackDeps, payment: LedgerPayment): Promise<RecordRow | undefined> {
  const base = deps.db
    .selectFrom('records')
    .selectAll()
    .where('tenant_id', '=', deps.connection.tenant_id)
    .where('connection_id', '=', deps.connection.id)
    .where('type', '=', 'invoice');
  const byId = payment.documentId
    ? await base.where('ledger_id', '=', payment.documentId).executeTakeFirst()
    : undefined;
  if (byId) return byId;
  return payment.documentNumber
    ? base.where('number', '=', payment.documentNumber).executeTakeFirst()
    : undefined;
}

async function writePayment(
  deps: PaymentsBackDeps,
  record: RecordRow,
  payment: LedgerPayment,
): Promise<boolean> {
  await deps.db
    .insertInto('payments')
    .values({
      tenant_id: record.tenant_id,
      record_id: record.id,
      connection_id: deps.connection.id,
      ledger_payment_id: payment.id,
      amount_minor: String(payment.amountMinor),
      currency: payment.currency || record.currency,
      paid_on: payment.date,
    })
    .onConflict((oc) => oc.columns(['connection_id', 'ledger_payment_id', 'record_id']).doNothing())
    .execute();
  const row = await deps.db
    .selectFrom('payments')
    .selectAll()
    .where('connection_id', '=', deps.connection.id)
    .where('ledger_payment_id', '=', payment.id)
    .where('record_id', '=', record.id)
    .executeTakeFirstOrThrow();
  if (row.state === 'written' || row.state === 'deleted') return false;

  const cwId = Number(record.cw_id);
  const amount = minorToNumber(BigInt(row.amount_minor), record.decimals);
  const paidOn =
    typeof row.paid_on === 'string' ? row.paid_on : new Date(row.paid_on).toISOString().slice(0, 10);
  let cwPaymentId = row.state === 'error' ? undefined : await findWrittenEarlier(deps, cwId, amount, paidOn);
  if (cwPaymentId === undefined) {
    try {
      const created = await deps.cw.createInvoicePayment(cwId, {
        amount,
        paymentDate: `${paidOn}T00:00:00Z`,
        type: 'Payment',
      });
      cwPaymentId = created.id;
    } catch (error) {
      if (error instanceof ConnectWiseError && !error.retryable && !error.ambiguous) {
        const message = `ConnectWise refused payment ${payment.id} of ${formatMinor(payment.amountMinor, record.decimals)}: ${error.message}`;
        await deps.db
          .updateTable('payments')
          .set({
            state: 'error',
            last_error: JSON.stringify({
              code: 'payment_refused',
              message,
              hint: 'Check the invoice in ConnectWise (closed, already paid?), then run the payments sync again.',
              retryable: false,
            }),
            updated_at: new Date(),
          })
          .where('id', '=', row.id)
          .execute();
        await deps.records.note(record, 'payments', 'payment_refused', {
          ledgerPaymentId: payment.id,
          message,
        });
        return false;
      }
      throw error;
    }
  }
  await deps.db
    .updateTable('payments')
    .set({ state: 'written', cw_payment_id: String(cwPaymentId), last_error: null, updated_at: new Date() })
    .where('id', '=', row.id)
    .execute();
  await deps.records.note(record, 'payments', 'payment_written', {
    ledgerPaymentId: payment.id,
    cwPaymentId,
    amount: formatMinor(payment.amountMinor, record.decimals),
  });
  return true;
}

/**
 * After an unclear answer from CW, the payment may exist already: one on the invoice with the same
 * amount and date that no stored payment claims is ours.
 */
async function findWrittenEarlier(
  deps: PaymentsBackDeps,
  cwId: number,
  amount: number,
  paidOn: string,
): Promise<number | undefined> {
  const claimed = new Set(
    (
      await deps.db
        .selectFrom('payments')
        .select('cw_payment_id')
        .where('tenant_id', '=', deps.connection.tenant_id)
        .where('cw_payment_id', 'is not', null)
        .execute()
    ).map((p) => Number(p.cw_payment_id)),
  );
  const existing = await deps.cw.listInvoicePayments(cwId);
  return existing.find(
    (p) => !claimed.has(p.id) && p.amount === amount && (p.paymentDate ?? '').slice(0, 10) === paidOn,
  )?.id;
}

/** A payment deleted or voided in the ledger is reported on its record, never silently ignored. */
async function markDeleted(deps: PaymentsBackDeps, payment: LedgerPayment): Promise<RecordRow[]> {
  const rows = await deps.db
    .updateTable('payments')
    .set({ state: 'deleted', updated_at: new Date() })
    .where('connection_id', '=', deps.connection.id)
    .where('ledger_payment_id', '=', payment.id)
    .where('state', '!=', 'deleted')
    .returning(['record_id', 'cw_payment_id', 'amount_minor'])
    .execute();
  const records: RecordRow[] = [];
  for (const row of rows) {
    const record = await deps.db
      .selectFrom('records')
      .selectAll()
      .where('id', '=', row.record_id)
      .executeTakeFirstOrThrow();
    const amount = formatMinor(BigInt(row.amount_minor), record.decimals);
    await deps.records.note(record, 'payments', `payment_${payment.state}_in_ledger`, {
      ledgerPaymentId: payment.id,
      cwPaymentId: row.cw_payment_id === null ? null : Number(row.cw_payment_id),
      amount,
      hint: `The payment of ${amount} was ${payment.state} in the ledger; remove it from the ConnectWise invoice if it should not stand.`,
    });
    records.push(record);
  }
  return records;
}

/** The record's paid state follows the ledger document's balance. */
async function refreshBalance(deps: PaymentsBackDeps, record: RecordRow): Promise<void> {
  if (!record.ledger_id || (record.type !== 'invoice' && record.type !== 'credit_memo')) return;
  const ref = await deps.ledger.get(record.type, record.ledger_id);
  const latest = (await deps.db
    .selectFrom('records')
    .selectAll()
    .where('id', '=', record.id)
    .executeTakeFirstOrThrow()) as RecordRow;
  const invoice = await deps.cw.getInvoice(Number(record.cw_id));
  const settledStates = new Set(['synced', 'partly_paid', 'paid']);
  const set = {
    ledger_total_minor: String(ref.totalMinor),
    ledger_balance_minor: String(ref.balanceMinor),
    ledger_status: ref.status,
    ...(invoice ? { balance_minor: String(toMinor(Math.abs(invoice.balance ?? 0), latest.decimals)) } : {}),
  };
  const state = settledStates.has(latest.state) ? paidState(ref.totalMinor, ref.balanceMinor) : latest.state;
  if (state !== latest.state) {
    await deps.records.transition(latest, { to: state, set, actor: 'payments', kind: 'balance_changed' });
  } else {
    await deps.db.updateTable('records').set(set).where('id', '=', latest.id).execute();
  }
}
