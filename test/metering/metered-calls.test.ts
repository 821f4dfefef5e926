import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qboAppKey } from '../../server/outbound/metering/periods.js';
import { readUsage } from '../../server/outbound/metering/usage.js';
import { cwLimiterKey } from '../../server/tenants/tenant-connectwise.js';
import { conditionMs } from '../support/patience.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

type Traffic = { total: number; byRoute: Record<string, number> };
const trafficOf = async (url: string) => (await (await fetch(`${url}/__sim/traffic`)).json()) as Traffic;

/**
 * The meter counts every call that reaches the simulators (and nothing else): a push and whatever
 * background work runs beside it, compared over real HTTP with what the simulators saw.
 */
describe.each(['qbo', 'xero'] as const)('metering every outside call of a %s push', (kind) => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld(kind);
    await world.seedInvoices([invoice(9501, 'MTR-9501')]);
  });
  afterAll(() => world.close());

  const ledgerKey = () => `${kind}:${world.connection.external_id}`;
  const ledgerApiCalls = (t: Traffic, method?: string) =>
    Object.entries(t.byRoute)
      // API routes only: OAuth token refreshes are not metered calls.
      .filter(([route]) => (kind === 'qbo' ? route.includes('/v3/company') : route.includes('api.xro')))
      .filter(([route]) => !method || route.startsWith(`${method} `))
      .reduce((sum, [, n]) => sum + n, 0);

  async function counts() {
    await world.pod.services.meter.flush();
    const usage = await readUsage(world.pod.database.db, [
      ledgerKey(),
      cwLimiterKey(world.tenant.id),
      qboAppKey,
    ]);
    const [ledger, cw] = await Promise.all([trafficOf(world.ledgerSim.url), trafficOf(world.cw.url)]);
    return { usage, ledger, cw };
  }

  it('counts what the simulators received, per connection and kind', async () => {
    const before = await counts();
    expect((await world.pushRecord('invoice', 9501)).status).toBe(202);
    await world.waitForStateInDb(9501, ['synced'], conditionMs);
    // Background calls may be in flight when the push ends: wait until both sides agree.
    await expect
      .poll(
        async () => {
          const now = await counts();
          const ledgerUse = now.usage.get(ledgerKey())!;
          const ledgerUseBefore = before.usage.get(ledgerKey())!;
          const cwDelta =
            now.usage.get(cwLimiterKey(world.tenant.id))!.day -
            before.usage.get(cwLimiterKey(world.tenant.id))!.day;
          const sims = {
            cw: now.cw.total - before.cw.total,
            ledger: ledgerApiCalls(now.ledger) - ledgerApiCalls(before.ledger),
            ledgerWrites:
              kind === 'qbo' ? ledgerApiCalls(now.ledger, 'POST') - ledgerApiCalls(before.ledger, 'POST') : 0,
          };
          const metered =
            kind === 'qbo'
              ? {
                  cw: cwDelta,
                  ledger:
                    ledgerUse.month_read +
                    ledgerUse.month_write -
                    ledgerUseBefore.month_read -
                    ledgerUseBefore.month_write,
                  ledgerWrites: ledgerUse.month_write - ledgerUseBefore.month_write,
                }
              : { cw: cwDelta, ledger: ledgerUse.day - ledgerUseBefore.day, ledgerWrites: 0 };
          return { sims, metered, pushed: sims.ledger > 0 && sims.cw > 0 };
        },
        { timeout: conditionMs, interval: 500 },
      )
      .toSatisfy(
        (r: { sims: object; metered: object; pushed: boolean }) =>
          r.pushed && JSON.stringify(r.sims) === JSON.stringify(r.metered),
      );
    const final = await counts();
    if (kind === 'qbo') {
      const use = final.usage.get(ledgerKey())!;
      // A push creates at least the invoice (a write, free) and reads something first (metered).
      expect(use.month_write).toBeGreaterThanOrEqual(1);
      expect(use.month_read).toBeGreaterThanOrEqual(1);
      expect(final.usage.get(qboAppKey)!.month_read).toBeGreaterThanOrEqual(use.month_read);
    }
  });
});
