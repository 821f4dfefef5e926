import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../server/app/services.js';
import { createConnectWiseClient } from '../../server/connectwise/index.js';
import { type DatabaseHandle, openDatabase } from '../../server/db/database.js';
import { providerLimits } from '../../server/outbound/call-limiter.js';
import { cwLimiterKey } from '../../server/tenants/tenant-connectwise.js';
import { testApiMember, testClientId } from '../../sim/connectwise/index.js';
import { post, startSeededConnectWise } from '../support/cw-tenant.js';
import { testConfig } from '../support/test-config.js';
import { createTestDatabase } from '../support/test-database.js';

/**
 * ConnectWise calls of one tenant share one budget (providerLimits.connectwise) across every
 * product instance on the database, as the ledger calls do: two instances, each with its own pool
 * and limiter, firing at once, never exceed its concurrency and keep to its rate.
 */
describe('ConnectWise calls paced through the shared limiter', () => {
  let database: DatabaseHandle;
  let second: DatabaseHandle;
  const sims: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    // A second pool on the same database stands for a second process.
    second = await openDatabase({ databaseUrl: database.url, dataDir: undefined });
  });
  afterAll(async () => {
    for (const sim of sims) await sim.close();
    await second?.close();
    await database?.close();
  });

  /** A CW simulator of its own per test (fresh counters), slow enough that unpaced calls pile up. */
  async function slowConnectWise() {
    const sim = await startSeededConnectWise();
    sims.push(sim);
    await post(sim.url, '/__sim/latency', { ms: 60 });
    const traffic = async () =>
      (await (await fetch(`${sim.url}/__sim/traffic`)).json()) as { total: number; maxInFlight: number };
    return { url: sim.url, traffic };
  }

  const keys = {
    companyId: testApiMember.companyId,
    publicKey: testApiMember.publicKey,
    privateKey: testApiMember.privateKey,
    clientId: testClientId,
  };
  const calls = 60;

  it('without the limiter the same calls pile up (so the check below can fail)', async () => {
    const cw = await slowConnectWise();
    const client = createConnectWiseClient({ ...keys, site: new URL(cw.url).host, apiOrigin: cw.url });
    await Promise.all(Array.from({ length: calls }, () => client.countUnposted('invoices')));
    expect((await cw.traffic()).maxInFlight).toBeGreaterThan(providerLimits.connectwise.concurrent);
  });

  it('two instances on one database hold one tenant to its configured CW rate and concurrency', async () => {
    const cw = await slowConnectWise();
    // Half the default, so a run at the default rate would finish in half the time and fail below.
    const perMinute = 300;
    const config = testConfig({ CW_CALLS_PER_MINUTE: String(perMinute) });
    const [a, b] = [createServices(config, database.db), createServices(config, second.db)];
    const tenant = await a.tenants.create({
      ...keys,
      name: 'Paced MSP',
      site: new URL(cw.url).host,
      apiUrl: cw.url,
    });
    const clients = [a.connectWise.for(tenant), b.connectWise.for((await b.tenants.get(tenant.id))!)];

    const started = Date.now();
    await Promise.all(Array.from({ length: calls }, (_, i) => clients[i % 2]!.countUnposted('invoices')));
    const elapsedMs = Date.now() - started;

    const { burst, concurrent } = providerLimits.connectwise;
    const seen = await cw.traffic();
    // Each instance discovers the codebase once (/login/companyinfo), paced like the rest.
    expect(seen.total).toBe(calls + 2);
    expect(seen.maxInFlight).toBeLessThanOrEqual(concurrent);
    // Past the burst, one call per 60000/perMinute ms (300/min: 200 ms), for both instances together.
    const minimumMs = ((seen.total - burst) * 60_000) / perMinute;
    expect(elapsedMs).toBeGreaterThanOrEqual(minimumMs * 0.95);
    const budget = await database.db
      .selectFrom('call_rates')
      .select('key')
      .where('key', '=', cwLimiterKey(tenant.id))
      .executeTakeFirst();
    expect(budget?.key).toBe(cwLimiterKey(tenant.id));
  });
});
