import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/** A provider's published limits for one connection, and the margin we keep below them. */
export interface CallLimits {
  perMinute: number;
  concurrent: number;
  /** Calls allowed at once before the steady rate applies. */
  burst: number;
}

/** Kept below the published limits so that any rolling minute stays under them. */
export const providerLimits = {
  qbo: { perMinute: 450, concurrent: 8, burst: 10 },
  xero: { perMinute: 54, concurrent: 4, burst: 4 },
  connectwise: { perMinute: 600, concurrent: 8, burst: 10 },
} satisfies Record<string, CallLimits>;

export interface CallLimiter {
  /** Runs `call` once the shared budget for `key` allows it. */
  run<T>(key: string, limits: CallLimits, call: () => Promise<T>): Promise<T>;
  /** A provider said to wait (429 Retry-After, or a remaining-limit header at zero). */
  pushBack(key: string, waitMs: number): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const leaseMs = 60_000;

/**
 * Rate (GCRA) and concurrency limits shared by every process through Postgres: adding workers
 * never adds calls to a provider beyond its limits.
 */
export function createCallLimiter(db: Db, holderPrefix = randomUUID()): CallLimiter {
  async function waitForRate(key: string, limits: CallLimits): Promise<void> {
    const intervalMs = 60_000 / limits.perMinute;
    const toleranceMs = intervalMs * Math.max(0, limits.burst - 1);
    for (;;) {
      // One atomic upsert: let the call through when tat - now <= tolerance and move tat on by one
      // interval; otherwise leave tat and report how long until the call would fit.
      const token = randomUUID();
      const result = await sql<{ allowed: boolean; wait_ms: number }>`
        insert into call_rates as r (key, tat, last_token, updated_at)
        values (${key}, now() + make_interval(secs => ${intervalMs / 1000}), ${token}, now())
        on conflict (key) do update set
          tat = case when greatest(r.tat, now()) <= now() + make_interval(secs => ${toleranceMs / 1000})
                     then greatest(r.tat, now()) + make_interval(secs => ${intervalMs / 1000}) else r.tat end,
          last_token = case when greatest(r.tat, now()) <= now() + make_interval(secs => ${toleranceMs / 1000})
                            then ${token} else r.last_token end,
          updated_at = now()
        returning last_token = ${token} as allowed,
                  (extract(epoch from (tat - now())) * 1000 - ${toleranceMs})::float8 as wait_ms`.execute(db);
      const decision = result.rows[0];
      if (decision?.allowed) return;
      await sleep(Math.min(Math.max(decision?.wait_ms ?? intervalMs, 5), 5_000));
    }
  }

  async function acquireSlot(key: string, limits: CallLimits, holder: string): Promise<number> {
    await db
      .insertInto('call_leases')
      .values(Array.from({ length: limits.concurrent }, (_, slot) => ({ key, slot })))
      .onConflict((oc) => oc.doNothing())
      .execute();
    for (let attempt = 0; ; attempt++) {
      const taken = await sql<{ slot: number }>`
        update call_leases set holder = ${holder}, expires_at = now() + make_interval(secs => ${leaseMs / 1000})
        where (key, slot) = (
          select key, slot from call_leases
          where key = ${key} and slot < ${limits.concurrent} and expires_at < now()
          order by slot limit 1 for update skip locked
        )
        returning slot`.execute(db);
      const slot = taken.rows[0]?.slot;
      if (slot !== undefined) return slot;
      await sleep(Math.min(10 * 2 ** Math.min(attempt, 4), 100));
    }
  }

  return {
    async run(key, limits, call) {
      const holder = `${holderPrefix}:${randomUUID()}`;
      const slot = await acquireSlot(key, limits, holder);
      try {
        await waitForRate(key, limits);
        return await call();
      } finally {
        await db
          .updateTable('call_leases')
          .set({ holder: null, expires_at: sql`'-infinity'` })
          .where('key', '=', key)
          .where('slot', '=', slot)
          .where('holder', '=', holder)
          .execute();
      }
    },
    async pushBack(key, waitMs) {
      await sql`
        insert into call_rates (key, tat) values (${key}, now() + make_interval(secs => ${waitMs / 1000}))
        on conflict (key) do update set tat = greatest(call_rates.tat, excluded.tat), updated_at = now()`.execute(
        db,
      );
    },
  };
}
