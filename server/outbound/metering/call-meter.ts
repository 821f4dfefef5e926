import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Logger } from '../../shared/log.js';
import { bucketsFor, type CallKind } from './periods.js';

/** Counts outside calls per budget key; counts reach PostgreSQL in batches (flush). */
export interface CallMeter {
  /** One call on `key` (the call limiter's key) now. Synchronous and free: no I/O. */
  count(key: string, kind?: CallKind): void;
  /** Writes what was counted since the last flush: one upsert for every bucket at once. */
  flush(): Promise<void>;
  /** Stops the timer and flushes the rest. */
  stop(): Promise<void>;
}

export interface CallMeterOptions {
  flushMs?: number;
  logger?: Pick<Logger, 'warn'>;
  now?: () => Date;
}

/** Minute rows older than this, and day rows older than `keepDays`, are pruned. */
const keepMinutesMs = 60 * 60_000;
const keepDays = 62;
const pruneEveryFlushes = 60;

/**
 * In-memory increments flushed every second (by default) with one multi-row upsert, so a push does
 * not pay a database write per call. What a crash can lose: the counts since the last flush, at
 * most about a second of calls (and, while the database is away, what piled up since: a failed
 * flush keeps its counts and adds them to the next). Counting a little low for a second is the
 * trade: the guard defers background work at 80% of a cap, not at 100%.
 */
export function createCallMeter(db: Db, options: CallMeterOptions = {}): CallMeter {
  const now = options.now ?? (() => new Date());
  let pending = new Map<string, { key: string; period: string; start: Date; calls: number }>();
  let flushes = 0;
  let flushing: Promise<void> | undefined;

  async function write(batch: typeof pending): Promise<void> {
    const rows = [...batch.values()];
    if (rows.length > 0) {
      await db
        .insertInto('call_counts')
        .values(rows.map((r) => ({ key: r.key, period: r.period, period_start: r.start, calls: r.calls })))
        .onConflict((oc) =>
          oc.columns(['key', 'period', 'period_start']).doUpdateSet({
            calls: sql`call_counts.calls + excluded.calls`,
            updated_at: sql`now()`,
          }),
        )
        .execute();
    }
    if (++flushes % pruneEveryFlushes === 0) {
      const at = now().getTime();
      await db
        .deleteFrom('call_counts')
        .where((eb) =>
          eb.or([
            eb.and([eb('period', '=', 'minute'), eb('period_start', '<', new Date(at - keepMinutesMs))]),
            eb.and([eb('period', '=', 'day'), eb('period_start', '<', new Date(at - keepDays * 86_400_000))]),
          ]),
        )
        .execute();
    }
  }

  async function flushOnce(): Promise<void> {
    const batch = pending;
    pending = new Map();
    try {
      await write(batch);
    } catch (error) {
      // Kept for the next flush: the database may be away for a moment (failover).
      for (const [id, row] of batch) {
        const held = pending.get(id);
        if (held) held.calls += row.calls;
        else pending.set(id, row);
      }
      options.logger?.warn({ err: error }, 'storing call counts failed; kept for the next flush');
    }
  }

  const flush = async () => {
    // One flush at a time; a second caller waits for the running one, then flushes what is new.
    while (flushing) await flushing;
    flushing = flushOnce().finally(() => {
      flushing = undefined;
    });
    await flushing;
  };

  const timer = setInterval(() => void flush(), options.flushMs ?? 1_000);
  timer.unref();

  return {
    count(key, kind = 'read') {
      for (const bucket of bucketsFor(key, kind, now())) {
        const id = `${bucket.key}\u0000${bucket.period}\u0000${bucket.start.getTime()}`;
        const held = pending.get(id);
        if (held) held.calls += 1;
        else pending.set(id, { ...bucket, calls: 1 });
      }
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
