import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.js';
import { type GateRetry, limitedGate, noGateRetry } from '../../server/outbound/call-gate.js';
import { createCallLimiter } from '../../server/outbound/call-limiter.js';
import type { CallMeter } from '../../server/outbound/metering/call-meter.js';
import { createTestDatabase } from '../support/test-database.js';

const limits = { perMinute: 6000, concurrent: 4, burst: 10 };

/** Every count the gate makes, as `key:kind`. */
function recordingMeter() {
  const counted: string[] = [];
  const meter: CallMeter = {
    count: (key, kind = 'read') => void counted.push(`${key}:${kind}`),
    flush: async () => undefined,
    stop: async () => undefined,
  };
  return { meter, counted };
}

describe('limitedGate', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  /** Where the key's shared budget stands, in epoch ms (pushBack moves it ahead). */
  const budgetAt = async (key: string) => {
    const { rows } = await sql<{ tat_ms: number }>`
      select (extract(epoch from tat) * 1000)::float8 as tat_ms from call_rates where key = ${key}`.execute(
      database.db,
    );
    return rows[0]!.tat_ms;
  };

  const failingThen = (failures: Error[], starts: number[]) => async () => {
    starts.push(Date.now());
    const failure = failures.shift();
    if (failure) throw failure;
    return 'done';
  };

  it('hands every failure straight back when the client retries on its own', async () => {
    const { meter, counted } = recordingMeter();
    const gate = limitedGate(createCallLimiter(database.db), 'gate:client', limits, noGateRetry, meter);
    const starts: number[] = [];
    await expect(gate.run(failingThen([new Error('refused')], starts))).rejects.toThrow('refused');
    expect(starts).toHaveLength(1);
    expect(counted).toEqual(['gate:client:read']);
  });

  it("carries out the system's decision: a push-back holds the shared budget and waits it out", async () => {
    const pushBack = new Error('429');
    const expired = new Error('401');
    const retry: GateRetry = {
      decide: (error, attempt) =>
        attempt < 3
          ? { retry: true, reason: 'test', waitMs: error === pushBack ? 300 : 0 }
          : { retry: false, reason: 'enough', waitMs: 0 },
      isPushBack: (error) => error === pushBack,
    };
    const { meter, counted } = recordingMeter();
    const gate = limitedGate(createCallLimiter(database.db), 'gate:pushed', limits, retry, meter);
    const starts: number[] = [];
    expect(await gate.run(failingThen([pushBack, expired], starts), { write: true })).toBe('done');
    expect(starts).toHaveLength(3);
    // The caller slept the whole wait, and every other caller of the key was held back as long.
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(290);
    expect(await budgetAt('gate:pushed')).toBeGreaterThanOrEqual(starts[0]! + 295);
    expect(counted).toEqual(['gate:pushed:write', 'gate:pushed:write', 'gate:pushed:write']);
  });

  it('retries a failure that is no push-back without holding anyone back, and stops when told', async () => {
    const retry: GateRetry = {
      decide: (_error, attempt) =>
        attempt < 2
          ? { retry: true, reason: 'refreshed', waitMs: 0 }
          : { retry: false, reason: 'enough', waitMs: 0 },
      isPushBack: () => false,
    };
    const gate = limitedGate(createCallLimiter(database.db), 'gate:plain', limits, retry);
    const starts: number[] = [];
    const failures = [new Error('first'), new Error('second'), new Error('third')];
    await expect(gate.run(failingThen(failures, starts))).rejects.toThrow('second');
    expect(starts).toHaveLength(2);
    // Two calls spent two intervals of 10 ms; no push-back moved the budget ahead.
    expect(await budgetAt('gate:plain')).toBeLessThan(Date.now() + 300);
  });

  it('slowDown pushes the shared budget back', async () => {
    const gate = limitedGate(createCallLimiter(database.db), 'gate:slow', limits, noGateRetry);
    const before = Date.now();
    await gate.slowDown(5_000);
    expect(await budgetAt('gate:slow')).toBeGreaterThanOrEqual(before + 5_000);
  });
});
