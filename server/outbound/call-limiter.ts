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

/**
 * Kept below the published limits so that any rolling minute stays under them. Here rather than in
 * the provider entries because the limiter is below ledgers and connectwise; the entries take
 * their defaults from this table.
 */
export const providerLimits = {
  qbo: { perMinute: 450, concurrent: 8, burst: 10 },
  xero: { perMinute: 54, concurrent: 4, burst: 4 },
  connectwise: { perMinute: 600, concurrent: 8, burst: 10 },
} satisfies Record<string, CallLimits>;

/** How a call takes its place in the budget. */
export interface CallPriority {
  /**
   * A person waits on it (a pod's sign-in): it goes as soon as a concurrency slot is free, without
   * waiting for the rate, and still spends one interval of the budget, so the background calls
   * behind it wait that much longer and the rate over a minute holds. Without this a sign-in
   * competes for each interval with every background caller and waits about a second while an
   * onboarding run keeps the budget full.
   */
  interactive?: boolean;
  /**
   * The call writes (QBO create/update): metered apart from reads, which Intuit counts against the
   * app's monthly allowance (metering/periods.ts). Ordering ignores it.
   */
  write?: boolean;
}

export interface CallLimiter {
  /** Runs `call` once the shared budget for `key` allows it. */
  run<T>(key: string, limits: CallLimits, call: () => Promise<T>, priority?: CallPriority): Promise<T>;
  /** A provider said to wait (429 Retry-After, or a remaining-limit header at zero). */
  pushBack(key: string, waitMs: number): Promise<void>;
  /**
   * Spends one call of the budget for `key` if it has one now, without waiting: for budgets that
   * refuse instead of queueing (unauthenticated work, auth/unauthenticated-budget.ts). `waitMs`:
   * how long until one would fit, when refused.
   */
  tryTake(
    key: string,
    limits: Pick<CallLimits, 'perMinute' | 'burst'>,
  ): Promise<{ allowed: boolean; waitMs: number }>;
  /** Hands back one call `tryTake` spent (the work turned out legitimate). */
  giveBack(key: string, limits: Pick<CallLimits, 'perMinute'>): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const leaseMs = 60_000;
/** How far ahead interactive calls may spend the budget before they too wait (spendNow). */
const defaultInteractiveDebtMs = 5_000;

/**
 * Rate (GCRA) and concurrency limits shared by every process through Postgres: adding workers
 * never adds calls to a provider beyond its limits.
 */
export function createCallLimiter(db: Db, options: { interactiveDebtMs?: number } = {}): CallLimiter {
  const holderPrefix = randomUUID();
  const interactiveDebtMs = options.interactiveDebtMs ?? defaultInteractiveDebtMs;
  async function waitForRate(key: string, limits: CallLimits): Promise<void> {
    for (;;) {
      const decision = await takeOnce(key, limits);
      if (decision.allowed) return;
      await sleep(Math.min(Math.max(decision.waitMs, 5), 5_000));
    }
  }

  async function takeOnce(
    key: string,
    limits: Pick<CallLimits, 'perMinute' | 'burst'>,
  ): Promise<{ allowed: boolean; waitMs: number }> {
    const intervalMs = 60_000 / limits.perMinute;
    const toleranceMs = intervalMs * Math.max(0, limits.burst - 1);
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
    return { allowed: decision?.allowed ?? false, waitMs: decision?.wait_ms ?? intervalMs };
  }

  /**
   * Spends one interval of the budget now (an interactive call), unless the budget is already
   * spent `interactiveDebtMs` ahead: then false, and the call waits its turn like any other. The cap
   * keeps a flood of sign-ins (forged ones cost a call too) from starving the background work.
   */
  async function spendNow(key: string, limits: CallLimits): Promise<boolean> {
    const intervalMs = 60_000 / limits.perMinute;
    const spent = await sql<{ key: string }>`
      insert into call_rates as r (key, tat, updated_at)
      values (${key}, now() + make_interval(secs => ${intervalMs / 1000}), now())
      on conflict (key) do update set
        tat = greatest(r.tat, now()) + make_interval(secs => ${intervalMs / 1000}), updated_at = now()
        where r.tat <= now() + make_interval(secs => ${interactiveDebtMs / 1000})
      returning key`.execute(db);
    return spent.rows.length > 0;
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
    async run(key, limits, call, priority = {}) {
      const holder = `${holderPrefix}:${randomUUID()}`;
      const slot = await acquireSlot(key, limits, holder);
      try {
        if (!(priority.interactive && (await spendNow(key, limits)))) await waitForRate(key, limits);
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
    tryTake: takeOnce,
    async giveBack(key, limits) {
      const intervalMs = 60_000 / limits.perMinute;
      await sql`
        update call_rates set tat = greatest(now(), tat - make_interval(secs => ${intervalMs / 1000})),
          updated_at = now()
        where key = ${key}`.execute(db);
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
