import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resendStaleQueued } from '../../server/pipeline/stale-queued.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * A record marked queued whose push job was never sent (the web process died between the two, or
 * the send failed in a failover) is pushed again by the minute tick, once, and only once stale.
 */
describe('a record left queued with no job', () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld('qbo');
    await world.seedInvoices([invoice(9501, 'SQ-9501'), invoice(9502, 'SQ-9502')]);
  });
  afterAll(() => world?.close());

  /** What requestPush leaves when it dies after marking the record and before sending its job. */
  async function strandQueued(cwId: number, minutesAgo: number) {
    const deps = world.workerDeps();
    const key = { tenantId: world.tenant.id, type: 'invoice', cwId } as const;
    const record = await deps.records.ensure(key);
    await deps.records.transitionIf(record, [record.state], { to: 'queued', actor: 'test', kind: 'queued' });
    await deps.db
      .updateTable('records')
      .set({ updated_at: sql<Date>`now() - make_interval(mins => ${minutesAgo})` })
      .where('tenant_id', '=', world.tenant.id)
      .where('cw_id', '=', String(cwId))
      .execute();
  }

  const pushJobsFor = async (cwId: number) =>
    (
      await sql<{ n: number }>`select count(*)::int as n from pgboss.job
        where name = 'record-push' and (data->>'cwId')::int = ${cwId}`.execute(world.workerDeps().db)
    ).rows[0]!.n;

  it('is pushed again once stale, and ends synced with one document', async () => {
    await strandQueued(9501, 10);
    expect(await pushJobsFor(9501)).toBe(0);
    expect(await resendStaleQueued(world.workerDeps())).toBeGreaterThanOrEqual(1);
    await world.waitForStateInDb(9501, ['synced']);
    expect(await world.ledgerSim.documentNumbers('invoice')).toEqual(['SQ-9501']);
  });

  it('a record queued a moment ago is left to its own job', async () => {
    await strandQueued(9502, 0);
    await resendStaleQueued(world.workerDeps());
    expect(await pushJobsFor(9502)).toBe(0);
    expect(await world.waitForStateInDb(9502, ['queued'])).toBe('queued');
  });
});
