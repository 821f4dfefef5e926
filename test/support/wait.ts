import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Db } from '../../server/db/database.js';
import { conditionMs, quietMs } from './patience.js';

/**
 * The tests' one way to wait: poll `probe` until it answers something other than undefined, and
 * answer that. The ceiling only stops a hung test (see patience.ts); `what` and `detail` say in
 * the failure what never happened.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; intervalMs?: number; detail?: () => string | Promise<string> } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? conditionMs);
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not within ${options.timeoutMs ?? conditionMs} ms${options.detail ? `\n${await options.detail()}` : ''}`,
      );
    await sleep(options.intervalMs ?? 100);
  }
}

/** `promise`, or a rejection naming `what` once `ms` have passed (a process that never prints). */
export function within<T>(promise: Promise<T>, ms: number, what: string, detail?: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} not within ${ms} ms${detail ? `:\n${detail()}` : ''}`)),
      ms,
    );
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Waits until the product's job queues hold nothing due (created or retrying with its start time
 * passed, or running), and at least `quietBaseMs` (stretched on a busy machine) have passed: what a
 * test asserts "nothing more happened" after. Waiting for the work rather than a fixed time keeps
 * the check meaningful on a slow machine, where a second push would still be queued after any
 * fixed sleep. Jobs scheduled for later (a payments re-check hours away) do not hold it.
 */
export async function jobsSettled(db: Db, quietBaseMs = 0, names?: string[]): Promise<void> {
  const earliest = Date.now() + quietMs(quietBaseMs);
  await until(
    'job queues settled',
    async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pgboss.job
        where (state = 'active' or (state in ('created', 'retry') and start_after <= now()))
          and name not like '\\_\\_pgboss%'
          ${names ? sql`and name in (${sql.join(names)})` : sql``}`.execute(db);
      return rows[0]?.n === 0 && Date.now() >= earliest ? true : undefined;
    },
    { intervalMs: 100 },
  );
}
