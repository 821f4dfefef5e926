import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.js';
import { createTestDatabase } from '../support/test-database.js';
import { connectTenant, processOn, simConfig, startXeroSimHandle } from './support/ledger-worlds.js';

describe('Xero remaining-limit headers', () => {
  let database: DatabaseHandle;
  let sim: Awaited<ReturnType<typeof startXeroSimHandle>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startXeroSimHandle();
  });
  afterAll(async () => {
    await sim.close();
    await database.close();
  });

  it('an answer saying no calls are left this minute holds every caller back for the minute', async () => {
    const config = simConfig('http://127.0.0.1:9', sim.url);
    const { connection } = await connectTenant(database, config, sim);
    const { registry } = processOn(database, config);
    const ledger = registry.for(connection);
    sim.sim.limiter.limits = { ...sim.sim.limiter.limits, perMinute: 2 };
    await ledger.listAccounts();
    const before = await tatOf(database, `xero:${sim.externalId}`);
    expect(before.getTime()).toBeLessThan(Date.now() + 30_000);
    await ledger.listTaxCodes();
    // The second answer said X-MinLimit-Remaining: 0: the shared budget moves a minute on.
    const after = await tatOf(database, `xero:${sim.externalId}`);
    expect(after.getTime()).toBeGreaterThan(Date.now() + 50_000);
  });
});

async function tatOf(database: DatabaseHandle, key: string): Promise<Date> {
  const row = await sql<{ tat: Date }>`select tat from call_rates where key = ${key}`.execute(database.db);
  return new Date(row.rows[0]!.tat);
}
