import type { ConnectWiseClient } from '../connectwise/index.js';
import { ConnectWiseError } from '../connectwise/index.js';
import type { Db } from '../db/database.js';
import type { LedgerConnection, RecordRow, StoredError } from '../db/schema.js';
import type { Ledger, LedgerChange, LedgerPayment } from '../ledgers/ledger.js';
import { ledgerColumns, paidState } from '../records/ledger-amounts.js';
import { bookedStates } from '../records/record-states.js';
import type { RecordStore } from '../records/record-store.js';
import { formatMinor, minorToNumber, toMinor } from '../shared/money.js';
import { cwPaymentAmount, type PaymentAmountInput } from './payment-amount.js';
import { takeOutOfSingleCwPayment, writeIntoSingleCwPayment } from './single-cw-payment.js';

export interface PaymentsBackDeps {
  db: Db;
  records: RecordStore;
  cw: ConnectWiseClient;
  ledger: Ledger;
  connection: LedgerConnection;
  /** The tenant's cwPaymentsPerInvoice: a CW payment per ledger payment, or one per invoice. */
  paymentsPerInvoice?: 'many' | 'one';
  /** Told of each record whose payments changed, after its balance is stored (the drift check). */
  afterChange?: (record: RecordRow) => Promise<void>;
  /** How long a payment row's claim lives without renewal (paymentClaimStaleMs; tests shorten it). */
  claimStaleMs?: number;
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
  const checkStartedAt = new Date();
  const from =
    since ??
    (deps.connection.payments_cursor
      ? new Date(deps.connection.payments_cursor)
      : new Date(Date.now() - firstSweepDays * 86_400_000));
  const result: PaymentsBackResult = { seen: 0, written: 0, deleted: 0, unmatched: 0 };
  let cursor = from;
  const touched = new Map<string, RecordRow>();
  // What this sweep gave CW per record: its stored balance is CW's from before the sweep.
  const written = new Map<string, bigint>();
  // The sweep's payments first, so that a document's last payment in it is known: only that one
  // may settle CW's balance where the ledger's document is paid (payment-amount.ts, topped up).
  const payments: LedgerPayment[] = [];
  for await (const page of deps.ledger.paymentsSince(from)) payments.push(...page);
  for (const payment of payments) {
    const updatedAt = new Date(payment.updatedAt);
    if (!Number.isNaN(updatedAt.getTime()) && updatedAt > cursor) cursor = updatedAt;
  }
  await applyPayments(deps, payments, result, touched, written);
  for (const record of touched.values()) await refreshBalance(deps, record);
  await deps.db
    .updateTable('ledger_connections')
    .set({ payments_cursor: cursor, payments_checked_at: checkStartedAt })
    .where('id', '=', deps.connection.id)
    .execute();
  return result;
}

/**
 * The payments one webhook event names, read by themselves (issue 15: events, not sweeps). The
 * cursor stays the full check's: CDC or the poll sees these again later and finds them claimed.
 * Only records whose payments changed have their balance read again (a Xero invoice event for our
 * own update finds its payments written already: no more calls).
 */
export async function syncNamedPayments(
  deps: PaymentsBackDeps,
  change: LedgerChange,
): Promise<PaymentsBackResult | undefined> {
  const payments = await deps.ledger.paymentsNamed(change);
  if (!payments) return undefined;
  return writeLedgerPayments(deps, payments);
}

/**
 * Ledger payments already read (a webhook's targeted read, or the drift check's fix for a payment
 * in the books that ConnectWise lacks: server/reconcile/), each written to ConnectWise once by the
 * same claim as a sweep's; only the records they changed have their balance read again.
 */
export async function writeLedgerPayments(
  deps: PaymentsBackDeps,
  payments: LedgerPayment[],
): Promise<PaymentsBackResult> {
  const result: PaymentsBackResult = { seen: 0, written: 0, deleted: 0, unmatched: 0 };
  const changed = new Map<string, RecordRow>();
  await applyPayments(deps, payments, result, new Map(), new Map(), changed);
  for (const record of changed.values()) await refreshBalance(deps, record);
  return result;
}

/** Each payment written to (or taken out of) ConnectWise once; the records they touched, and changed. */
async function applyPayments(
  deps: PaymentsBackDeps,
  payments: LedgerPayment[],
  result: PaymentsBackResult,
  touched: Map<string, RecordRow>,
  // What this read gave CW per record: its stored balance is CW's from before the read.
  written: Map<string, bigint>,
  changed: Map<string, RecordRow> = new Map(),
): Promise<void> {
  const documentOf = (p: LedgerPayment) => p.documentId || p.documentNumber || p.id;
  const lastOfDocument = new Map<string, LedgerPayment>();
  for (const payment of payments)
    if (payment.state === 'active') lastOfDocument.set(documentOf(payment), payment);
  for (const payment of payments) {
    result.seen += 1;
    if (payment.state === 'active') {
      const record = await recordFor(deps, payment);
      if (!record) {
        result.unmatched += 1;
        continue;
      }
      if (await underCorrection(deps, record.id)) continue;
      const amount = await writePayment(deps, record, payment, {
        writtenThisSweep: written.get(record.id) ?? 0n,
        lastOfDocument: lastOfDocument.get(documentOf(payment)) === payment,
      });
      if (amount !== undefined) {
        result.written += 1;
        written.set(record.id, (written.get(record.id) ?? 0n) + amount);
        changed.set(record.id, record);
      }
      touched.set(record.id, record);
    } else {
      for (const record of await markDeleted(deps, payment)) {
        result.deleted += 1;
        touched.set(record.id, record);
        changed.set(record.id, record);
      }
    }
  }
}

/**
 * A correction (server/correction/) takes a paid document's payments off and puts new ones back,
 * moving Ledgerpod's row of each to its replacement: meanwhile neither the deletion nor the new
 * payment is ConnectWise's business, so the sweep leaves the record alone until it is done.
 */
async function underCorrection(deps: PaymentsBackDeps, recordId: string): Promise<boolean> {
  const running = await deps.db
    .selectFrom('corrections')
    .select('id')
    .where('record_id', '=', recordId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return running !== undefined;
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

/** Where a payment stands in its sweep: what the sweep gave CW on the record, and whether it is the document's last. */
interface SweepSoFar {
  writtenThisSweep: bigint;
  lastOfDocument: boolean;
}

/** Writes the payment to CW once; the amount CW was given (in the record's units), if written now. */
async function writePayment(
  deps: PaymentsBackDeps,
  record: RecordRow,
  ledgerPayment: LedgerPayment,
  sweep: SweepSoFar,
): Promise<bigint | undefined> {
  const stored = () =>
    deps.db
      .selectFrom('payments')
      .selectAll()
      .where('connection_id', '=', deps.connection.id)
      .where('ledger_payment_id', '=', ledgerPayment.id)
      .where('record_id', '=', record.id)
      .executeTakeFirst();
  const done = (state: string) => state === 'written' || state === 'deleted' || state === 'voided';
  const before = await stored();
  if (before && done(before.state)) return undefined;
  const { amountMinor, rounded, capped, toppedUp } = await amountForCw(deps, record, ledgerPayment, sweep);
  const payment = { ...ledgerPayment, amountMinor };
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
  const first = await stored();
  if (!first || done(first.state)) return undefined;
  // Writers beside each other (a sweep, a webhook's targeted read, the drift check's fix) take the
  // row in turn, so the second finds it written instead of writing it again.
  const release = await claimPayment(deps, first.id);
  try {
    const row = await stored();
    if (!row || done(row.state)) return undefined;
    if (row.state === 'error' && BigInt(row.amount_minor) !== payment.amountMinor) {
      // CW refused it, so nothing of it is there: retried at today's figure (CW's balance may have been
      // stale then), not at the one refused.
      await deps.db
        .updateTable('payments')
        .set({ amount_minor: String(payment.amountMinor), updated_at: new Date() })
        .where('id', '=', row.id)
        .execute();
      row.amount_minor = String(payment.amountMinor);
    }
    if (BigInt(row.amount_minor) === 0n) return await markNothingToWrite(deps, record, row.id, ledgerPayment);

    const cwId = Number(record.cw_id);
    const amount = minorToNumber(BigInt(row.amount_minor), record.decimals);
    const paidOn =
      typeof row.paid_on === 'string' ? row.paid_on : new Date(row.paid_on).toISOString().slice(0, 10);
    // A row begun as a share of the invoice's single CW payment stays one (the setting may change since).
    const single = row.cw_before_minor !== null || deps.paymentsPerInvoice === 'one';
    let cwPaymentId =
      single || row.state === 'error' ? undefined : await findWrittenEarlier(deps, cwId, amount, paidOn);
    if (cwPaymentId === undefined) {
      try {
        cwPaymentId = single
          ? await writeIntoSingleCwPayment(deps, record, row, paidOn)
          : (
              await deps.cw.createInvoicePayment(cwId, {
                amount,
                paymentDate: `${paidOn}T00:00:00Z`,
                type: 'Payment',
              })
            ).id;
      } catch (error) {
        if (error instanceof ConnectWiseError && !error.retryable && !error.ambiguous) {
          // CW's reason is in its field errors as often as in its message (error-400-invalid-object.json).
          const reason = [error.message, ...error.errors.map((e) => e.message ?? '')]
            .filter(Boolean)
            .join('; ');
          const message = `ConnectWise refused payment ${payment.id} of ${formatMinor(payment.amountMinor, record.decimals)}: ${reason}`;
          await deps.db
            .updateTable('payments')
            .set({
              state: 'error',
              last_error: JSON.stringify({
                code: 'payment_refused',
                message,
                hint:
                  deps.paymentsPerInvoice === 'one'
                    ? 'Check the invoice in ConnectWise (closed, already paid?), then run the payments sync again.'
                    : 'Check the invoice in ConnectWise (closed, already paid?), then run the payments sync again. If ConnectWise takes only one payment per invoice, an admin sets "ConnectWise payments per invoice" to one in Settings: Ledgerpod then adds to the existing payment.',
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
          return undefined;
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
      // Never round silently: the ledger's figure had digits ConnectWise's currency setting cannot hold.
      ...(rounded || capped || toppedUp
        ? {
            ledgerAmount: formatMinor(ledgerPayment.amountMinor, ledgerPayment.decimals),
            hint:
              capped || toppedUp
                ? `The ledger's payment of ${formatMinor(ledgerPayment.amountMinor, ledgerPayment.decimals)} ${record.currency} ${capped ? 'exceeds' : 'falls short of'} ConnectWise's balance only by rounding (${record.rounding ? `the books hold the invoice rounded: ${record.rounding.message}` : `ConnectWise keeps ${record.decimals} decimal places for this invoice`}); ConnectWise was given its balance of ${formatMinor(payment.amountMinor, record.decimals)}${toppedUp ? ', as the ledger shows the invoice paid in full' : ''}.`
                : `The ledger's payment of ${formatMinor(ledgerPayment.amountMinor, ledgerPayment.decimals)} ${record.currency} was written to ConnectWise as ${formatMinor(payment.amountMinor, record.decimals)}, ConnectWise's ${record.decimals} decimal places for this invoice.`,
          }
        : {}),
    });
    return BigInt(row.amount_minor);
  } finally {
    await release();
  }
}

/**
 * A claim older than this was left by a writer that died: the next one goes on (and finds its write).
 * No longer than the payment jobs' expiry (jobs/queues.ts jobExpirySeconds, 30 s): at 60 s the claim,
 * not the job, set the recovery after a kill, and the other worker's retried sweep waited out the
 * rest of the minute before writing (test/faults/payments-kill.test.ts measured 59.9 s).
 */
const paymentClaimStaleMs = 30_000;

/**
 * Waits until this process holds the payment row's claim (claimed_at, migration 0024), and answers
 * its release. A claim left by a dead writer lapses after paymentClaimStaleMs; a pending row's write
 * is then found on the invoice before another is made (findWrittenEarlier). A live writer renews its
 * claim every third of that while it holds it: a CW write slower than the lapse (timeouts and
 * retries) would otherwise hand the row to a second writer, which finds no payment on the invoice
 * yet and makes a second one.
 */
async function claimPayment(deps: PaymentsBackDeps, rowId: string): Promise<() => Promise<void>> {
  const staleMs = deps.claimStaleMs ?? paymentClaimStaleMs;
  let claimedAt = new Date();
  for (;;) {
    const claimed = await deps.db
      .updateTable('payments')
      .set({ claimed_at: claimedAt })
      .where('id', '=', rowId)
      .where((eb) =>
        eb.or([eb('claimed_at', 'is', null), eb('claimed_at', '<', new Date(Date.now() - staleMs))]),
      )
      .returning('id')
      .executeTakeFirst();
    if (claimed) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
    claimedAt = new Date();
  }
  let renewing = Promise.resolve();
  const renew = setInterval(() => {
    renewing = renewing.then(async () => {
      const renewed = new Date();
      const held = await deps.db
        .updateTable('payments')
        .set({ claimed_at: renewed })
        .where('id', '=', rowId)
        .where('claimed_at', '=', claimedAt)
        .returning('id')
        .executeTakeFirst()
        .then(
          (row) => row !== undefined,
          // The database away for a beat: the next renewal tries again, well inside the lapse.
          () => false,
        );
      if (held) claimedAt = renewed;
    });
  }, staleMs / 3);
  return async () => {
    clearInterval(renew);
    await renewing;
    await deps.db
      .updateTable('payments')
      .set({ claimed_at: null })
      .where('id', '=', rowId)
      .where('claimed_at', '=', claimedAt)
      .execute();
  };
}

/**
 * The payment in CW's units for this record (payment-amount.ts), from CW's balance less what this
 * sweep wrote. Where rounding alone leaves it short of CW's balance, the ledger's balance says
 * whether it settles the document (one ledger read, rare). A payment written as CW's balance is
 * checked against CW's own balance first: a refresh of the invoice during the sweep may have
 * stored a balance that already counts this sweep's payments.
 */
async function amountForCw(
  deps: PaymentsBackDeps,
  record: RecordRow,
  payment: LedgerPayment,
  sweep: SweepSoFar,
) {
  const narrowing = payment.decimals > record.decimals;
  let input: PaymentAmountInput = {
    ledgerMinor: payment.amountMinor,
    ledgerDecimals: payment.decimals,
    cwDecimals: record.decimals,
    cwBalanceMinor: BigInt(record.balance_minor) - sweep.writtenThisSweep,
    bookedDifferenceMinor: record.rounding ? toMinor(record.rounding.difference, record.decimals) : 0n,
    earlierPayments: narrowing ? await earlierPaymentsOf(deps, record, payment) : 0,
  };
  let amount = cwPaymentAmount(input);
  if (amount.needsLedgerBalance) {
    // Settled only by the document's last payment in this sweep: an earlier one topped up would
    // leave nothing of CW's balance for the rest.
    const settled =
      sweep.lastOfDocument && record.ledger_id
        ? (await deps.ledger.get('invoice', record.ledger_id)).balanceMinor === 0n
        : false;
    input = { ...input, ledgerSettled: settled };
    amount = cwPaymentAmount(input);
  }
  if (!amount.capped && !amount.toppedUp) return amount;
  const invoice = await deps.cw.getInvoice(Number(record.cw_id));
  if (!invoice) return amount;
  return cwPaymentAmount({
    ...input,
    cwBalanceMinor: toMinor(Math.abs(invoice.balance ?? 0), record.decimals),
  });
}

/** Payments of the record other than this one that reached (or may have reached) CW. */
async function earlierPaymentsOf(
  deps: PaymentsBackDeps,
  record: RecordRow,
  payment: LedgerPayment,
): Promise<number> {
  const row = await deps.db
    .selectFrom('payments')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('record_id', '=', record.id)
    .where('ledger_payment_id', '!=', payment.id)
    .where('state', 'in', ['written', 'pending'])
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * A payment that is 0 in CW's units (0.40 ISK from Xero to a CW that keeps ISK at 0 dp, or one
 * after CW's balance was met by rounding): CW takes no zero payment, so nothing is written, and
 * the record says so.
 */
async function markNothingToWrite(
  deps: PaymentsBackDeps,
  record: RecordRow,
  rowId: string,
  ledgerPayment: LedgerPayment,
): Promise<bigint> {
  await deps.db
    .updateTable('payments')
    .set({ state: 'written', last_error: null, updated_at: new Date() })
    .where('id', '=', rowId)
    .execute();
  const ledgerAmount = formatMinor(ledgerPayment.amountMinor, ledgerPayment.decimals);
  await deps.records.note(record, 'payments', 'payment_written', {
    ledgerPaymentId: ledgerPayment.id,
    cwPaymentId: null,
    amount: formatMinor(0n, record.decimals),
    ledgerAmount,
    hint: `The ledger's payment of ${ledgerAmount} ${record.currency} is 0 at ConnectWise's ${record.decimals} decimal places for this invoice (or its balance was already met by rounding), so nothing was written to ConnectWise.`,
  });
  return 0n;
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

/**
 * A payment deleted or voided in the ledger is taken back out of ConnectWise and reported on its
 * record, never silently ignored. Each stored row of the payment: the CW payment we wrote (or, for
 * a row whose CW answer was lost, the one findWrittenEarlier finds) is removed first, then the row
 * is marked; a crash in between removes it again next sweep, which CW answers 404 (done). The
 * ledger row carries no amount any more (a void zeroes it): the stored row has the amount.
 */
async function markDeleted(deps: PaymentsBackDeps, payment: LedgerPayment): Promise<RecordRow[]> {
  const state = payment.state === 'voided' ? 'voided' : 'deleted';
  const rows = await deps.db
    .selectFrom('payments')
    .selectAll()
    .where('connection_id', '=', deps.connection.id)
    .where('ledger_payment_id', '=', payment.id)
    .where('state', 'not in', ['deleted', 'voided'])
    .execute();
  const records: RecordRow[] = [];
  for (const row of rows) {
    if (await underCorrection(deps, row.record_id)) continue;
    const record = await deps.db
      .selectFrom('records')
      .selectAll()
      .where('id', '=', row.record_id)
      .executeTakeFirstOrThrow();
    const amount = formatMinor(BigInt(row.amount_minor), record.decimals);
    const removal = await removeFromConnectWise(deps, record, row);
    await deps.db
      .updateTable('payments')
      .set({
        state,
        last_error: removal.refused ? JSON.stringify(removal.refused) : null,
        updated_at: new Date(),
      })
      .where('id', '=', row.id)
      .execute();
    await deps.records.note(record, 'payments', `payment_${state}_in_ledger`, {
      ledgerPaymentId: payment.id,
      cwPaymentId: removal.cwPaymentId ?? null,
      amount,
      removedFromConnectWise: removal.removed,
      ...(removal.refused
        ? { message: removal.refused.message, hint: removal.refused.hint }
        : {
            hint: removal.removed
              ? `The payment of ${amount} was ${state} in the ledger, so Ledgerpod removed it from the ConnectWise invoice.`
              : `The payment of ${amount} was ${state} in the ledger before it reached ConnectWise; nothing to undo there.`,
          }),
    });
    records.push(record);
  }
  if (rows.length === 0 && payment.documentId) {
    // Received and voided (or deleted) between two sweeps: nothing reached CW, but the record says so.
    const record = await recordFor(deps, payment);
    if (record) {
      await deps.records.note(record, 'payments', `payment_${state}_in_ledger`, {
        ledgerPaymentId: payment.id,
        cwPaymentId: null,
        removedFromConnectWise: false,
        hint: `A payment was ${state} in the ledger before Ledgerpod wrote it to ConnectWise; nothing to undo there.`,
      });
      records.push(record);
    }
  }
  return records;
}

async function removeFromConnectWise(
  deps: PaymentsBackDeps,
  record: RecordRow,
  row: {
    id: string;
    state: string;
    cw_payment_id: string | number | bigint | null;
    cw_before_minor: string | number | bigint | null;
    amount_minor: string | number | bigint;
    paid_on: Date | string;
  },
): Promise<{ removed: boolean; cwPaymentId?: number; refused?: StoredError }> {
  const cwId = Number(record.cw_id);
  if (row.cw_before_minor !== null) {
    // A share of the invoice's single CW payment: taken out of it, the others' shares kept.
    try {
      return await takeOutOfSingleCwPayment(deps, record, row);
    } catch (error) {
      if (!(error instanceof ConnectWiseError) || error.retryable || error.ambiguous) throw error;
      return {
        removed: false,
        refused: {
          code: 'payment_refused',
          message: `ConnectWise refused to take ${formatMinor(BigInt(row.amount_minor), record.decimals)} out of the invoice's payment: ${error.message}`,
          hint: "Lower the invoice's payment in ConnectWise by hand (or reverse its batch first).",
          retryable: false,
        },
      };
    }
  }
  let cwPaymentId = row.cw_payment_id === null ? undefined : Number(row.cw_payment_id);
  if (cwPaymentId === undefined && row.state === 'pending') {
    // The CW answer was lost: the payment may be there all the same.
    const amount = minorToNumber(BigInt(row.amount_minor), record.decimals);
    const paidOn =
      typeof row.paid_on === 'string' ? row.paid_on : new Date(row.paid_on).toISOString().slice(0, 10);
    cwPaymentId = await findWrittenEarlier(deps, cwId, amount, paidOn);
  }
  if (cwPaymentId === undefined) return { removed: false };
  try {
    await deps.cw.deleteInvoicePayment(cwId, cwPaymentId);
    return { removed: true, cwPaymentId };
  } catch (error) {
    if (!(error instanceof ConnectWiseError) || error.retryable || error.ambiguous) throw error;
    return {
      removed: false,
      cwPaymentId,
      refused: {
        code: 'payment_refused',
        message: `ConnectWise refused to remove payment ${cwPaymentId}: ${error.message}`,
        hint: 'Remove the payment from the invoice in ConnectWise by hand (or reverse its batch first).',
        retryable: false,
      },
    };
  }
}

/** The record's paid state follows the ledger document's balance. */
async function refreshBalance(deps: PaymentsBackDeps, record: RecordRow): Promise<void> {
  if (!record.ledger_id || (record.type !== 'invoice' && record.type !== 'credit_memo')) return;
  const latest = (await deps.db
    .selectFrom('records')
    .selectAll()
    .where('id', '=', record.id)
    .executeTakeFirstOrThrow()) as RecordRow;
  const readStartedAt = new Date();
  const ref = await deps.ledger.get(record.type, record.ledger_id);
  const invoice = await deps.cw.getInvoice(Number(record.cw_id));
  const set = {
    ...ledgerColumns(ref, latest.decimals),
    ...(invoice ? { balance_minor: String(toMinor(Math.abs(invoice.balance ?? 0), latest.decimals)) } : {}),
  };
  const state = bookedStates.has(latest.state) ? paidState(ref.totalMinor, ref.balanceMinor) : latest.state;
  // A credit applied (or another poll) since this read started stored a newer balance: it stands.
  await deps.records.storeLedgerRead(latest, readStartedAt, {
    to: state,
    set,
    actor: 'payments',
    kind: 'balance_changed',
    fromStates: [latest.state],
  });
  await deps.afterChange?.(latest);
}
