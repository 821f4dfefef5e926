import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueSweeps } from '../../server/pipeline/sweep-jobs.js';
import { api } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

describe('sweeping unposted records', () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld('qbo');
    await world.seedInvoices([
      invoice(9401, 'SW-9401'),
      invoice(9402, 'SW-9402'),
      invoice(9403, 'SW-9403', { type: 'CreditMemo' }),
    ]);
  });
  afterAll(() => world.close());

  it('the workbench list brings CW’s unposted records in, without pushing them', async () => {
    await api(world.pod.url, world.token.accountant, 'GET', '/api/v1/records');
    await expect
      .poll(
        async () => (await api(world.pod.url, world.token.accountant, 'GET', '/api/v1/records')).body.counts,
        { timeout: 20_000 },
      )
      .toEqual({ unposted: 3 });
    const list = await api(world.pod.url, world.token.accountant, 'GET', '/api/v1/records?state=unposted');
    expect(list.body.records.map((r: { number: string }) => r.number).sort()).toEqual([
      'SW-9401',
      'SW-9402',
      'SW-9403',
    ]);
    expect(list.body.records.find((r: { number: string }) => r.number === 'SW-9403').type).toBe(
      'credit_memo',
    );
    expect(await world.ledgerSim.documentNumbers('invoice')).toEqual([]);
  });

  it('"sync all" sends every unposted record to the books, each once', async () => {
    const res = await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/records/sync-all');
    expect(res.status).toBe(202);
    for (const cwId of [9401, 9402, 9403]) await world.waitForState(cwId, ['synced'], 45_000);
    expect((await world.ledgerSim.documentNumbers('invoice')).sort()).toEqual(['SW-9401', 'SW-9402']);
    expect(await world.ledgerSim.documentNumbers('credit_memo')).toEqual(['SW-9403']);
    const list = await api(world.pod.url, world.token.accountant, 'GET', '/api/v1/records');
    expect(list.body.counts).toEqual({ synced: 3 });
    expect((await api(world.pod.url, world.token.viewer, 'POST', '/api/v1/records/sync-all')).status).toBe(
      403,
    );
  });

  it('the schedule is off by default and due once its minutes have passed', async () => {
    const db = world.pod.database.db;
    expect(await dueSweeps({ db })).not.toContain(world.tenant.id);
    await world.pod.services.tenants.updateSettings(world.tenant.id, { sweepMinutes: 5 });
    // The sync-all above recorded its time: not due again for five minutes.
    expect(await dueSweeps({ db })).not.toContain(world.tenant.id);
    await world.pod.services.tenants.updateSettings(world.tenant.id, {
      lastSweepAt: new Date(Date.now() - 6 * 60_000).toISOString(),
    });
    expect(await dueSweeps({ db })).toContain(world.tenant.id);
  });
});
