import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.js';
import type { LedgerConnection } from '../../server/db/schema.js';
import { LedgerError } from '../../server/ledgers/ledger-error.js';
import { storedErrorOf } from '../../server/records/stored-error.js';
import {
  connectTenant,
  processOn,
  type SimHandle,
  simConfig,
  startQboSim,
  startXeroSimHandle,
} from '../ledgers/support/ledger-worlds.js';
import { createTestDatabase } from '../support/test-database.js';

/**
 * Issue 18, finding 6: the provider's token endpoint failing on its side (5xx, a cut connection) says
 * nothing about the grant, so the record is retried and the connection stays active; only a refused
 * grant (invalid_grant, see ledger-registry.test.ts) asks an admin to reconnect.
 * intuit-oauth retries a 5xx or a reset three times itself (1 + 2 + 4 s), so its faults last 4 calls.
 */
describe.each([
  ['qbo', startQboSim, 'POST', '/oauth2/tokens/bearer'],
  ['xero', startXeroSimHandle, 'POST', '/identity/connect/token'],
] as const)('%s token endpoint failing on its side', (kind, startSim, method, tokenPath) => {
  let sim: SimHandle;
  let database: DatabaseHandle;
  let config: ReturnType<typeof simConfig>;

  beforeAll(async () => {
    sim = await startSim();
    database = await createTestDatabase();
    config = simConfig(sim.url, sim.url);
  });
  afterAll(async () => {
    await sim?.close();
    await database?.close();
  });
  afterEach(async () => {
    await sim.control('DELETE', '/__sim/faults');
  });

  const expire = async (connection: LedgerConnection) => {
    await sim.expireAccessTokens();
    await database.db
      .updateTable('ledger_connections')
      .set({ access_expires_at: new Date(Date.now() - 60_000) })
      .where('id', '=', connection.id)
      .execute();
  };
  const calls = kind === 'qbo' ? 4 : 1;

  it.each([
    ['http500', {}],
    ['timeout', { delayMs: 50 }],
  ] as const)(
    '%s: a retryable error, the connection stays active, the next try succeeds',
    async (fault, extra) => {
      const { tenantId, connection } = await connectTenant(database, config, sim, `${kind} ${fault} MSP`);
      await expire(connection);
      const { store, registry } = processOn(database, config);
      await sim.control('POST', '/__sim/faults', {
        method,
        path: tokenPath,
        kind: fault,
        times: calls,
        ...extra,
      });

      const ledger = registry.for((await store.get(tenantId, connection.id))!);
      const failure = await ledger.findByNumbers('invoice', ['T-1']).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(LedgerError);
      expect(failure).toMatchObject({ retryable: true });
      expect((failure as LedgerError).code).not.toBe('ledger_unauthorized');
      // What the record would store: retryable, so the push job tries again instead of parking it.
      const stored = storedErrorOf(failure);
      expect(stored).toMatchObject({ retryable: true });
      expect(stored.code).toMatch(/^ledger_(unavailable|timeout)$/);
      expect(await store.get(tenantId, connection.id)).toMatchObject({ status: 'active' });

      // The provider is back: the same ledger refreshes and answers.
      expect(await ledger.findByNumbers('invoice', ['T-1'])).toBeInstanceOf(Map);
    },
    30_000,
  );
});
