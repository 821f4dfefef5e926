import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../server/db/database.js';
import { createCallLimiter } from '../../server/outbound/call-limiter.js';
import { createTestDatabase } from '../support/test-database.js';

describe('call limiter shared through Postgres', () => {
  let database: DatabaseHandle;
  let second: DatabaseHandle;
  beforeAll(async () => {
    database = await createTestDatabase();
    // A second pool on the same database stands for a second process.
    second = await openDatabase({ databaseUrl: database.url, dataDir: undefined });
  });
  afterAll(async () => {
    await second.close();
    await database.close();
  });

  it('holds rate and concurrency across two limiters', async () => {
    const limits = { perMinute: 1200, concurrent: 3, burst: 2 };
    const limiters = [createCallLimiter(database.db), createCallLimiter(second.db)];
    const starts: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const call = async () => {
      starts.push(Date.now());
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 30));
      inFlight -= 1;
    };
    await Promise.all(Array.from({ length: 30 }, (_, i) => limiters[i % 2]!.run('conn:a', limits, call)));
    expect(starts).toHaveLength(30);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    // 1200/min is one call per 50 ms: any 500 ms holds at most 10 calls plus the burst.
    starts.sort((a, b) => a - b);
    for (const start of starts) {
      const inWindow = starts.filter((s) => s >= start && s < start + 500).length;
      expect(inWindow).toBeLessThanOrEqual(12);
    }
    // How close to the rate it runs is measured in bench/ (a wall-clock bound here fails on a busy machine).
  });

  it('keeps separate budgets per key and honours a push-back', async () => {
    const limiter = createCallLimiter(database.db);
    const limits = { perMinute: 6000, concurrent: 5, burst: 5 };
    await limiter.pushBack('conn:b', 800);
    const begun = Date.now();
    await limiter.run('conn:b', limits, async () => undefined);
    expect(Date.now() - begun).toBeGreaterThanOrEqual(600);
    const other = Date.now();
    await limiter.run('conn:c', limits, async () => undefined);
    expect(Date.now() - other).toBeLessThan(500);
  });

  it('lets an interactive call go ahead of a spent budget and charges it one interval', async () => {
    const limiter = createCallLimiter(database.db);
    const limits = { perMinute: 600, concurrent: 4, burst: 1 };
    // The budget spent two seconds ahead, as an onboarding run keeps it.
    await limiter.pushBack('conn:e', 2_000);
    const tat = async () =>
      (
        await sql<{
          ms: number;
        }>`select (extract(epoch from tat) * 1000)::float8 as ms from call_rates where key = 'conn:e'`.execute(
          database.db,
        )
      ).rows[0]!.ms;
    const before = await tat();
    const asked = Date.now();
    await limiter.run('conn:e', limits, async () => undefined, { interactive: true });
    // A background call asked now would wait the two seconds.
    expect(Date.now() - asked).toBeLessThan(1_000);
    // ...and its place in the budget is paid for: the background calls behind it wait 100 ms more.
    expect((await tat()) - before).toBeCloseTo(100, 0);
  });

  it('makes interactive calls wait like any other once they have spent the budget far enough ahead', async () => {
    const limiter = createCallLimiter(database.db, { interactiveDebtMs: 300 });
    const limits = { perMinute: 6000, concurrent: 5, burst: 1 };
    await limiter.pushBack('conn:f', 1_000);
    const begun = Date.now();
    await limiter.run('conn:f', limits, async () => undefined, { interactive: true });
    expect(Date.now() - begun).toBeGreaterThanOrEqual(800);
  });

  it('releases the slot when the call throws', async () => {
    const limiter = createCallLimiter(database.db);
    const limits = { perMinute: 6000, concurrent: 1, burst: 5 };
    await expect(
      limiter.run('conn:d', limits, async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    await expect(limiter.run('conn:d', limits, async () => 'next')).resolves.toBe('next');
  });
});
