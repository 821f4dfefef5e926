import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.js';
import { LedgerError } from '../../server/ledgers/ledger-error.js';
import { createTestDatabase } from '../support/test-database.js';
import { connectTenant, processOn, type SimHandle, simConfig, startQboSim } from './support/ledger-worlds.js';

/** QBO 403 / 3100 through the registry (token source, limiter, node-quickbooks) and a real database. */
let sim: SimHandle;
let database: DatabaseHandle;
beforeAll(async () => {
  sim = await startQboSim();
  database = await createTestDatabase();
});
afterAll(async () => {
  await sim?.close();
  await database?.close();
});

it('403 / 3100 turns the connection needs_reconnect with a hint, and no refresh is tried', async () => {
  const config = simConfig(sim.url, sim.url);
  const { tenantId, connection } = await connectTenant(database, config, sim, 'Forbidden MSP');
  const { store, registry } = processOn(database, config);
  const ledger = registry.for((await store.get(tenantId, connection.id))!);
  expect(await ledger.findByNumbers('invoice', ['F-1'])).toBeInstanceOf(Map);

  await sim.control('POST', `/__sim/realms/${sim.externalId}/forbid`, {});
  const refreshesBefore = await sim.tokenRefreshes();
  const failure = await ledger.findByNumbers('invoice', ['F-1']).catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(LedgerError);
  expect(failure).toMatchObject({ code: 'ledger_unauthorized', retryable: false, providerCode: '3100' });
  expect((failure as LedgerError).providerMessage).toMatch(/reconnect QuickBooks Online/);
  const after = await store.get(tenantId, connection.id);
  expect(after).toMatchObject({ status: 'needs_reconnect', status_reason: expect.stringMatching(/403/) });

  // The same ledger object and a fresh one both stop at once: no call, no refresh loop.
  const calls = Number(((await sim.control('GET', '/__sim/traffic')) as { total?: number }).total ?? 0);
  for (const l of [ledger, registry.for(after!)]) {
    const again = await l.findByNumbers('invoice', ['F-2']).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'ledger_unauthorized', retryable: false });
  }
  expect(await sim.tokenRefreshes()).toBe(refreshesBefore);
  const callsAfter = Number(((await sim.control('GET', '/__sim/traffic')) as { total?: number }).total ?? 0);
  expect(callsAfter).toBe(calls);
});
