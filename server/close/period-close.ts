import { sql } from 'kysely';
import type { CloseOutcome, OutcomeCounts, PaymentCounts, PeriodClose } from '../../contract/close.js';
import type { Db } from '../db/database.js';
import type { RecordState, StoredError } from '../db/schema.js';
import { formatMinor } from '../shared/money.js';

/**
 * The month-end close of a period (issue 16 item 4), read from our records alone: whether every
 * ConnectWise record dated in it that Ledgerpod knows is synced (or onboarded as history), which
 * are not and why, payments dated in it that are not yet written back, and credit memos with credit
 * left in the books. Records ConnectWise holds that Ledgerpod never saw are not counted here.
 */

// The close's shapes are the API's (GET /api/v1/close): declared once in the contract.
export type { CloseOutcome, OutcomeCounts, PaymentCounts, PeriodClose } from '../../contract/close.js';

/** What a record's state means for the close. */
export const closeOutcomeOf: Record<RecordState, CloseOutcome> = {
  synced: 'synced',
  partly_paid: 'synced',
  paid: 'synced',
  onboarded: 'onboarded',
  unposted: 'unposted',
  queued: 'waiting',
  exported: 'waiting',
  pushed: 'waiting',
  unknown: 'waiting',
  error: 'failed',
  not_closed: 'not_closed',
};

const noCounts = (): OutcomeCounts => ({
  synced: 0,
  onboarded: 0,
  unposted: 0,
  waiting: 0,
  failed: 0,
  not_closed: 0,
});

/**
 * Whether the period can be closed: every record synced or onboarded, no payment still to write
 * back or failed, and no record of it that the last drift check found apart from the books. Pure.
 */
export function periodReady(records: OutcomeCounts, payments: PaymentCounts, differences = 0): boolean {
  const open = records.unposted + records.waiting + records.failed + records.not_closed;
  return open === 0 && payments.pending === 0 && payments.failed === 0 && differences === 0;
}

const openLimit = 200;
/** A YYYY-MM-DD day as a SQL date: compared as days, whatever the session's time zone. */
const asDate = (day: string) => sql<Date>`${day}::date`;
const day = (value: Date | string | null) =>
  value === null ? null : typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);

export async function readPeriodClose(
  db: Db,
  tenantId: string,
  period: { from: string; to: string },
): Promise<PeriodClose> {
  const inPeriod = db
    .selectFrom('records')
    .where('tenant_id', '=', tenantId)
    .where('record_date', '>=', asDate(period.from))
    .where('record_date', '<=', asDate(period.to));
  const counted = await inPeriod
    .select(['type', 'state', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy(['type', 'state'])
    .execute();
  const records = noCounts();
  const byType: PeriodClose['byType'] = {};
  for (const row of counted) {
    const outcome = closeOutcomeOf[row.state];
    const n = Number(row.n);
    records[outcome] += n;
    const counts = byType[row.type] ?? noCounts();
    byType[row.type] = counts;
    counts[outcome] += n;
  }
  const openStates = (Object.keys(closeOutcomeOf) as RecordState[]).filter(
    (s) => !['synced', 'onboarded'].includes(closeOutcomeOf[s]),
  );
  const openRows = await inPeriod
    .select(['type', 'cw_id', 'number', 'record_date', 'state', 'last_error'])
    .where('state', 'in', openStates)
    .orderBy('record_date')
    .orderBy('cw_id')
    .limit(openLimit + 1)
    .execute();
  const credits = await inPeriod
    .select(['cw_id', 'number', 'currency', 'decimals', 'ledger_balance_minor'])
    .where('type', '=', 'credit_memo')
    .where('ledger_balance_minor', '>', '0')
    .orderBy('record_date')
    .execute();
  const drifted = db
    .selectFrom('records as r')
    .innerJoin('record_drift as d', 'd.record_id', 'r.id')
    .where('r.tenant_id', '=', tenantId)
    .where('r.record_date', '>=', asDate(period.from))
    .where('r.record_date', '<=', asDate(period.to))
    .where('d.difference_count', '>', 0);
  const driftCount = await drifted.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst();
  const driftRows = await drifted
    .select(['r.type', 'r.cw_id', 'r.number', 'd.differences'])
    .orderBy('r.record_date')
    .orderBy('r.cw_id')
    .limit(openLimit)
    .execute();
  const differenceCount = Number(driftCount?.n ?? 0);
  const paymentRows = await db
    .selectFrom('payments')
    .select(['state', (eb) => eb.fn.countAll<string>().as('n')])
    .where('tenant_id', '=', tenantId)
    .where('paid_on', '>=', asDate(period.from))
    .where('paid_on', '<=', asDate(period.to))
    .groupBy('state')
    .execute();
  const payments: PaymentCounts = { written: 0, pending: 0, failed: 0, withdrawn: 0 };
  for (const row of paymentRows) {
    const key =
      row.state === 'error'
        ? 'failed'
        : row.state === 'written' || row.state === 'pending'
          ? row.state
          : 'withdrawn';
    payments[key] += Number(row.n);
  }
  const total = Object.values(records).reduce((sum, n) => sum + n, 0);
  return {
    period,
    ready: periodReady(records, payments, differenceCount),
    records: { ...records, total },
    byType,
    open: openRows.slice(0, openLimit).map((r) => {
      const error = r.last_error as StoredError | null;
      return {
        type: r.type,
        cwId: Number(r.cw_id),
        number: r.number,
        date: day(r.record_date),
        state: r.state,
        error: error ? { code: error.code, message: error.message, hint: error.hint } : null,
      };
    }),
    openMore: openRows.length > openLimit,
    payments,
    unappliedCredits: credits.map((c) => ({
      cwId: Number(c.cw_id),
      number: c.number,
      currency: c.currency,
      remaining: formatMinor(BigInt(c.ledger_balance_minor ?? 0), c.decimals),
    })),
    differences: {
      count: differenceCount,
      records: driftRows.map((r) => ({
        type: r.type,
        cwId: Number(r.cw_id),
        number: r.number,
        codes: r.differences.map((d) => d.code),
      })),
    },
  };
}
