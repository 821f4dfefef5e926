import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../server/db/database.js';
import type { LedgerConnection } from '../../server/db/schema.js';
import { LedgerError } from '../../server/ledgers/ledger-error.js';
import { retryDecision } from '../../server/ledgers/retry.js';
import { createTestDatabase } from '../support/test-database.js';
import {
  connectTenant,
  processOn,
  type SimHandle,
  simConfig,
  startQboSim,
  startXeroSimHandle,
} from './support/ledger-worlds.js';

describe('retryDecision', () => {
  const limited = (retryAfterMs?: number) =>
    new LedgerError({ code: 'ledger_rate_limited', providerMessage: '429', retryable: true, retryAfterMs });

  it('waits what the provider asked on a 429, a bounded number of times', () => {
    expect(retryDecision(limited(2000), 1)).toEqual({ retry: true, reason: 'rate limited', waitMs: 2000 });
    expect(retryDecision(limited(), 1).waitMs).toBe(60_000);
    expect(retryDecision(limited(1000), 8).retry).toBe(false);
  });

  it("leaves a day-limit wait and everything that may have written to the job's retry", () => {
    expect(retryDecision(limited(3_600_000), 1).retry).toBe(false);
    for (const code of ['ledger_timeout', 'ledger_unavailable', 'ledger_validation'] as const)
      expect(retryDecision(new LedgerError({ code, providerMessage: 'x', retryable: true }), 1).retry).toBe(
        false,
      );
    expect(retryDecision(new Error('boom'), 1).retry).toBe(false);
  });

  it('tries a refused access token once more', () => {
    const refused = new LedgerError({ code: 'ledger_unauthorized', providerMessage: '401', retryable: true });
    expect(retryDecision(refused, 1).retry).toBe(true);
    expect(retryDecision(refused, 2).retry).toBe(false);
  });
});

describe.each([
  ['qbo', startQboSim],
  ['xero', startXeroSimHandle],
] as const)('Ledger registry around %s', (_kind, startSim) => {
  let sim: SimHandle;
  let database: DatabaseHandle;
  let second: DatabaseHandle;
  let config: ReturnType<typeof simConfig>;

  beforeAll(async () => {
    sim = await startSim();
    database = await createTestDatabase();
    // A second pool on the same database stands for a second process.
    second = await openDatabase({ databaseUrl: database.url, dataDir: undefined });
    config = simConfig(sim.url, sim.url);
  });
  afterAll(async () => {
    await second?.close();
    await sim?.close();
    await database?.close();
  });
  afterEach(async () => {
    await sim.control('DELETE', '/__sim/faults');
  });

  const expireEverywhere = async (connection: LedgerConnection) => {
    await sim.expireAccessTokens();
    await database.db
      .updateTable('ledger_connections')
      .set({ access_expires_at: new Date(Date.now() - 60_000) })
      .where('id', '=', connection.id)
      .execute();
  };

  it('20 concurrent calls at token expiry, across two processes: one refresh, no failure', async () => {
    const { tenantId, connection } = await connectTenant(database, config, sim, 'Race MSP');
    await expireEverywhere(connection);
    const processes = [processOn(database, config), processOn(second, config)];
    const ledgers = await Promise.all(
      processes.map(async (p) => p.registry.for((await p.store.get(tenantId, connection.id))!)),
    );
    const refreshesBefore = await sim.tokenRefreshes();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => ledgers[i % 2]!.findByNumbers('invoice', [`R-${i}`])),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect((await sim.tokenRefreshes()) - refreshesBefore).toBe(1);
    const after = await processes[0]!.store.get(tenantId, connection.id);
    expect(after).toMatchObject({ status: 'active' });
    expect(new Date(after!.access_expires_at).getTime()).toBeGreaterThan(Date.now() + 10 * 60_000);
  });

  it('a refused refresh token turns the connection needs_reconnect with a clear, non-retryable error', async () => {
    const { tenantId, connection } = await connectTenant(database, config, sim, 'Revoked MSP');
    const { store, registry } = processOn(database, config);
    // Another client spent the refresh token: ours is now rotated out, as after a lost race.
    const tokens = store.tokensOf(connection);
    const oauth = registry.oauthOf(sim.kind);
    await oauth.refresh(tokens.refreshToken, sim.externalId);
    await expireEverywhere(connection);

    const ledger = registry.for((await store.get(tenantId, connection.id))!);
    const failure = await ledger.findByNumbers('invoice', ['X-1']).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LedgerError);
    expect(failure).toMatchObject({ code: 'ledger_unauthorized', retryable: false });
    expect((failure as LedgerError).providerMessage).toMatch(/refused the stored authorisation.*reconnect/i);
    const after = await store.get(tenantId, connection.id);
    expect(after).toMatchObject({
      status: 'needs_reconnect',
      status_reason: expect.stringMatching(/refused/),
    });
    // Nothing is lost: the row and its routing stay; a reconnect (save) makes it active again.
    const again = await store.save({
      tenantId,
      kind: sim.kind,
      externalId: sim.externalId,
      name: sim.label,
      tokens: await sim.grant(),
    });
    expect(again).toMatchObject({ id: connection.id, status: 'active' });
    const fresh = registry.for(again);
    expect(await fresh.findByNumbers('invoice', ['X-1'])).toBeInstanceOf(Map);
  });

  it('a 429 storm: every create completes, none duplicated, none failed', async () => {
    const { tenantId, connection } = await connectTenant(database, config, sim, 'Storm MSP');
    const { store, registry } = processOn(database, config);
    const ledger = registry.for((await store.get(tenantId, connection.id))!);
    const partyId = await ledger.ensureParty(sim.knownParty, 'storm-party');
    // Injected throttles on most creates, and a simulator that allows fewer calls at once than we make.
    await sim.control('POST', '/__sim/faults', {
      ...sim.createPath('invoice'),
      kind: 'http429',
      times: 12,
      retryAfterSeconds: 1,
    });
    sim.squeeze();
    const n = 10;
    const numbers = Array.from({ length: n }, (_, i) => `S-${100 + i}`);
    const results = await Promise.allSettled(
      numbers.map((number) => ledger.create(sim.invoice(number), partyId, `storm-${number}`)),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const held = (await sim.documentNumbers('invoice')).filter((x) => x.startsWith('S-'));
    expect(held.sort()).toEqual(numbers);
    const faults = (await sim.control('GET', '/__sim/faults')) as { faults: unknown[] };
    expect(faults.faults).toEqual([]);
  }, 60_000);
});
