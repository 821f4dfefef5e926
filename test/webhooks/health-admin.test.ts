import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cw-tenant.js';
import { type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * Issue 15 item 4: health in one place. The admin's health view names each problem of the
 * ConnectWise callback and of each ledger connection with its fix, and the callback fix works: a
 * check from the tab registers a missing callback through the watchdog's job.
 */
describe('the admin health view', () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld('qbo');
  });
  afterAll(() => world?.close());

  const health = async () => {
    const res = await api(world.pod.url, world.token.admin, 'GET', '/api/v1/admin/health');
    expect(res.status).toBe(200);
    return res.body;
  };

  it('shows an unchecked callback and a payments check not yet run, each with its fix', async () => {
    const body = await health();
    expect(body.callback).toMatchObject({ state: 'unchecked', lastCallbackAt: null });
    expect(body.callback.problems).toEqual([
      expect.objectContaining({
        code: 'callback_unchecked',
        action: 'check-callback',
        fix: expect.any(String),
      }),
    ]);
    expect(body.connections).toEqual([
      expect.objectContaining({
        id: world.connection.id,
        kind: 'qbo',
        status: 'active',
        accessExpiresAt: expect.any(String),
      }),
    ]);
    for (const p of [...body.callback.problems, ...body.connections[0].problems])
      expect(p.message.length * p.fix.length).toBeGreaterThan(0);
  });

  it('its callback fix registers the missing callback; the problem is gone', async () => {
    const res = await api(
      world.pod.url,
      world.token.admin,
      'POST',
      '/api/v1/admin/health/callback-check',
      {},
    );
    expect(res.status).toBe(202);
    await expect
      .poll(async () => (await health()).callback, { timeout: 60_000, interval: 250 })
      .toMatchObject({ state: 'registered', repairedProblem: 'missing', problems: [] });
    expect([...world.cw.sim.state.callbackEntries.values()].map((e) => e.url)).toEqual([
      `${world.pod.config.publicUrl}/webhooks/connectwise/${world.tenant.id}`,
    ]);
  });

  it('a connection that needs reconnecting says so, with reconnect as the fix', async () => {
    await world.pod.database.db
      .updateTable('ledger_connections')
      .set({ status: 'needs_reconnect', status_reason: 'The refresh token was refused' })
      .where('id', '=', world.connection.id)
      .execute();
    const [connection] = (await health()).connections;
    expect(connection.problems).toEqual([
      expect.objectContaining({
        code: 'ledger_reconnect',
        action: 'reconnect',
        message: expect.stringContaining('The refresh token was refused'),
      }),
    ]);
  });

  it('is for admins only', async () => {
    expect((await api(world.pod.url, world.token.accountant, 'GET', '/api/v1/admin/health')).status).toBe(
      403,
    );
  });
});
