import type { Db } from '../../db/database.js';
import { type MeterPeriod, periodStart } from './periods.js';

/** One key's calls in the current period of each kind (what the meter has flushed). */
export type Usage = Record<MeterPeriod, number>;

export const noUsage = (): Usage => ({ month_read: 0, month_write: 0, day: 0, minute: 0 });

/**
 * The current periods' counts of `keys` at `at`, in one query. Counts not yet flushed by a
 * process's meter (at most about a second of calls) are not in it.
 */
export async function readUsage(db: Db, keys: string[], at = new Date()): Promise<Map<string, Usage>> {
  const usage = new Map(keys.map((k) => [k, noUsage()]));
  if (keys.length === 0) return usage;
  const periods: MeterPeriod[] = ['month_read', 'month_write', 'day', 'minute'];
  const rows = await db
    .selectFrom('call_counts')
    .select(['key', 'period', 'calls'])
    .where('key', 'in', keys)
    .where((eb) =>
      eb.or(periods.map((p) => eb.and([eb('period', '=', p), eb('period_start', '=', periodStart(p, at))]))),
    )
    .execute();
  for (const row of rows) {
    const u = usage.get(row.key);
    if (u) u[row.period as MeterPeriod] = Number(row.calls);
  }
  return usage;
}
