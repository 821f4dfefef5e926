import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queues } from '../../server/jobs/queues.js';
import { requestDriftCheck } from '../../server/jobs/request-drift-check.js';
import { periodEnd } from '../../server/outbound/metering/periods.js';
import { api } from '../support/cw-tenant.js';
import { conditionMs } from '../support/patience.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * The drift check spends the connection's API budget as background work: near a cap, a check after
 * an event or from the rolling pass is rescheduled (never dropped) by the budget guard, while one a
 * member asks for in the pod runs at once.
 */
describe('drift check within the API budget', () => {
  let world: PipelineWorld;
  const cap = 1_000;
  beforeAll(async () => {
    world = await startPipelineWorld('qbo', {
      env: {
        QBO_CONNECTION_READS_PER_MONTH: String(cap),
        DRIFT_CHECK_MINUTES: '0',
        PAYMENTS_CHECK_MINUTES: '0',
      },
    });
    await world.seedInvoices([invoice(9701, 'BDG-9701')]);
    await world.pushRecord('invoice', 9701);
    await world.waitForRecord('invoice', 9701, ['synced'], 45_000);
  });
  afterAll(() => world.close());

  const driftJobs = async () =>
    (
      await sql<{ state: string; start_after: Date }>`select state, start_after from pgboss.job
        where name = ${queues.driftCheck} and (data->>'cwId')::int = 9701 order by created_on`.execute(
        world.pod.database.db,
      )
    ).rows;
  const stored = () =>
    world.pod.database.db
      .selectFrom('record_drift as d')
      .innerJoin('records as r', 'r.id', 'd.record_id')
      .select('d.checked_at')
      .where('r.number', '=', 'BDG-9701')
      .executeTakeFirst();

  it('near the cap a background check waits for the next month; a member’s check runs now', async () => {
    // 950 reads this month: past 80% of the connection's 1,000.
    for (let i = 0; i < 950; i++)
      world.pod.services.meter.count(`qbo:${world.connection.external_id}`, 'read');
    await world.pod.services.meter.flush();
    await requestDriftCheck(world.pod.jobs!, {
      tenantId: world.tenant.id,
      type: 'invoice',
      cwId: 9701,
      reason: 'rolling',
    });
    const monthEnd = periodEnd('month_read', new Date()).getTime();
    await expect
      .poll(
        async () => (await driftJobs()).map((j) => [j.state, new Date(j.start_after).getTime() >= monthEnd]),
        {
          timeout: conditionMs,
        },
      )
      .toEqual([
        ['completed', false],
        ['created', true],
      ]);
    expect(await stored()).toBeUndefined();

    const asked = await api(
      world.pod.url,
      world.token.accountant,
      'POST',
      '/api/v1/records/invoice/9701/differences/check',
      {},
    );
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({ differences: [], checkedAt: expect.any(String) });
    expect(await stored()).toBeDefined();
  });
});
