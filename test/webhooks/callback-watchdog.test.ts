import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callbackUrlOf,
  requestCallbackWatch,
  type WatchDeps,
  watchCallback,
} from '../../server/pipeline/callback-watchdog.js';
import type { CwBehaviours } from '../../sim/connectwise/state.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * Issue 15 item 3, acceptance: a disabled callback is re-registered and its missed closes pushed.
 * The ConnectWise simulator disables a callback whose deliveries have failed for 3 days (its clock
 * moved on), as ConnectWise does (domain.md §8). Whether CW lets a PATCH of inactiveFlag re-activate
 * one is not published: the watchdog is tested under both behaviours. Nor is whether CW refuses an
 * owner-level callback with objectId 0 (issue 12 item 3): under 'refuse-zero' the watchdog registers
 * twice ('recreate-only' registers anew), so both registrations meet the stricter CW.
 */
describe.each<[CwBehaviours['callbackReactivate'], CwBehaviours['ownerObjectId'], number]>([
  ['patch', 'ignored', 9400],
  ['recreate-only', 'ignored', 9500],
  ['recreate-only', 'refuse-zero', 9600],
])('the callback watchdog (re-activation by %s, owner objectId 0 %s)', (mode, ownerObjectId, base) => {
  let world: PipelineWorld;
  let deps: WatchDeps;
  const [a, b, c, d, e] = [1, 2, 3, 4, 5].map((n) => base + n) as [number, number, number, number, number];
  const number = (id: number) => `WD-${id}`;

  beforeAll(async () => {
    world = await startPipelineWorld('qbo');
    world.cw.sim.state.behaviours.callbackReactivate = mode;
    world.cw.sim.state.behaviours.ownerObjectId = ownerObjectId;
    await world.seedInvoices([a, b, c, d, e].map((id) => invoice(id, number(id), { closed: false })));
    await world.pod.services.tenants.updateSettings(world.tenant.id, { syncOnClose: true });
    deps = { ...world.workerDeps(), publicUrl: () => world.pod.config.publicUrl };
  });
  afterAll(() => world?.close());

  const ourUrl = () => callbackUrlOf(world.pod.config.publicUrl!, world.tenant.id);
  const ours = () => [...world.cw.sim.state.callbackEntries.values()].filter((x) => x.url === ourUrl());
  const close = (id: number) => fetch(`${world.cw.url}/__sim/invoices/${id}/close`, { method: 'POST' });
  const network = (to: 'up' | 'unreachable') =>
    fetch(`${world.cw.url}/__sim/callbacks/network`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ network: to }),
    });
  const deliveriesOf = (id: number) => world.cw.sim.state.deliveries.filter((x) => x.entityId === id);
  const booked = async () => (await world.ledgerSim.documentNumbers('invoice')).sort();

  it('the simulator acts as switched on an owner-level callback with objectId 0', async () => {
    const cw = world.workerDeps().connectWise.for(world.tenant);
    const zero = cw.registerCallback({
      description: 'objectId 0',
      url: 'https://elsewhere.example.com/cw',
      objectId: 0,
      type: 'invoice',
      level: 'owner',
    });
    if (ownerObjectId === 'refuse-zero') {
      await expect(zero).rejects.toMatchObject({ code: 'cw_invalid_request' });
    } else await cw.deleteCallback((await zero).id);
    expect([...world.cw.sim.state.callbackEntries.values()]).toEqual([]);
  });

  it('registers a missing callback, through which a close is pushed', async () => {
    expect(ours()).toEqual([]);
    expect(await watchCallback(deps, world.tenant.id)).toMatchObject({
      problem: 'missing',
      state: 'registered',
      backfilled: 0,
    });
    expect(ours()).toEqual([
      expect.objectContaining({ inactiveFlag: false, type: 'invoice', level: 'owner', objectId: 1 }),
    ]);
    await close(a);
    await world.waitForStateInDb(a, ['synced'], 30_000);
    expect(await booked()).toEqual([number(a)]);
  });

  it('a callback failing for 3 days is disabled by ConnectWise; the closes it missed stay unbooked', async () => {
    await network('unreachable');
    await close(b);
    await fetch(`${world.cw.url}/__sim/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceMs: 3 * 86_400_000 }),
    });
    await close(c);
    expect(ours()).toEqual([expect.objectContaining({ inactiveFlag: true })]);
    await close(d);
    expect(deliveriesOf(b).map((x) => x.status)).toEqual([null]);
    expect(deliveriesOf(c).map((x) => x.status)).toEqual([null]);
    // Disabled: ConnectWise no longer even tries.
    expect(deliveriesOf(d)).toEqual([]);
    await network('up');
    expect(await booked()).toEqual([number(a)]);
  });

  it('re-activates the disabled callback and pushes the three missed closes, each once', async () => {
    const disabledId = ours()[0]!.id;
    expect(await watchCallback(deps, world.tenant.id)).toMatchObject({
      problem: 'disabled',
      state: 're-enabled',
      backfilled: 3,
    });
    const active = ours();
    expect(active).toEqual([expect.objectContaining({ inactiveFlag: false })]);
    // Re-activated in place where CW allows the PATCH, else registered anew and the old one removed.
    if (mode === 'patch') expect(active[0]!.id).toBe(disabledId);
    else expect(active[0]!.id).not.toBe(disabledId);
    for (const id of [b, c, d]) await world.waitForStateInDb(id, ['synced'], 60_000);
    expect(await booked()).toEqual([a, b, c, d].map(number));
    const watch = await world.pod.database.db
      .selectFrom('connectwise_callback_watch')
      .selectAll()
      .where('tenant_id', '=', world.tenant.id)
      .executeTakeFirstOrThrow();
    expect(watch).toMatchObject({ state: 're-enabled', repaired_problem: 'disabled', backfilled_count: 3 });
  });

  it('the re-activated callback brings the next close; a pass from the job queue finds all well', async () => {
    await close(e);
    expect(deliveriesOf(e).map((x) => x.status)).toEqual([200]);
    await world.waitForStateInDb(e, ['synced'], 30_000);
    const before = new Date();
    await requestCallbackWatch(world.pod.jobs!, world.tenant.id);
    await expect
      .poll(
        async () =>
          world.pod.database.db
            .selectFrom('connectwise_callback_watch')
            .select(['state', 'checked_at', 'backfilled_count'])
            .where('tenant_id', '=', world.tenant.id)
            .executeTakeFirst(),
        { timeout: 60_000, interval: 250 },
      )
      .toMatchObject({ state: 'healthy', checked_at: expect.toSatisfy((t: Date) => t >= before) });
    expect(await booked()).toEqual([a, b, c, d, e].map(number));
  });
});
