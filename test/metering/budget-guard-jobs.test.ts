import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queues, type RefreshRecordJob, refreshSingletonKey } from '../../server/jobs/queues.js';
import { periodEnd } from '../../server/outbound/metering/periods.js';
import { requestPaymentsEvent } from '../../server/payments/payment-jobs.js';
import { requestSweep } from '../../server/pipeline/sweep-jobs.js';
import { api } from '../support/cw-tenant.js';
import { conditionMs } from '../support/patience.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

interface JobRow {
  id: string;
  state: string;
  start_after: Date;
  singleton_key: string | null;
}

/**
 * The guard where background jobs start, against a real pod and simulators: a QBO connection near
 * its monthly read budget defers a refresh and a scheduled sweep (rescheduled, not dropped) while a
 * push goes through; once the budget allows, the deferred job runs.
 */
describe('budget guard on background jobs', () => {
  let world: PipelineWorld;
  const cap = 1_000;
  beforeAll(async () => {
    world = await startPipelineWorld('qbo', { env: { QBO_CONNECTION_READS_PER_MONTH: String(cap) } });
    await world.seedInvoices([invoice(9601, 'BDG-9601'), invoice(9602, 'BDG-9602')]);
  });
  afterAll(() => world.close());

  const ledgerKey = () => `qbo:${world.connection.external_id}`;
  const jobsOf = async (queue: string, where: ReturnType<typeof sql<boolean>>) =>
    (
      await sql<JobRow>`select id, state, start_after, singleton_key from pgboss.job
        where name = ${queue} and ${where} order by created_on`.execute(world.pod.database.db)
    ).rows;
  const refreshJob: RefreshRecordJob = {
    tenantId: '',
    type: 'invoice',
    cwId: 9602,
    reason: 'callback',
    syncIfClosed: false,
  };
  const refreshJobs = () => jobsOf(queues.refreshRecord, sql<boolean>`(data->>'cwId')::int = 9602`);
  // A webhook's targeted read of a payment QBO does not hold: it reads, finds nothing, completes.
  const eventJobs = () => jobsOf(queues.paymentsEvent, sql<boolean>`data->>'entityId' = '990001'`);

  it('near the cap: a refresh, a scheduled sweep and a payments webhook read are rescheduled to the month end, a push still runs', async () => {
    // 950 reads this month: past 80% of the connection's 1,000.
    for (let i = 0; i < 950; i++) world.pod.services.meter.count(ledgerKey(), 'read');
    await world.pod.services.meter.flush();
    const job = { ...refreshJob, tenantId: world.tenant.id };
    const jobs = world.pod.jobs!;
    await jobs.send(queues.refreshRecord, job, { singletonKey: refreshSingletonKey(job) });
    await requestSweep(jobs, { tenantId: world.tenant.id, actor: 'schedule' });
    await requestPaymentsEvent(jobs, {
      tenantId: world.tenant.id,
      connectionId: world.connection.id,
      entity: 'Payment',
      entityId: '990001',
      operation: 'Create',
    });

    expect((await world.pushRecord('invoice', 9601)).status).toBe(202);
    await world.waitForStateInDb(9601, ['synced'], conditionMs);

    const monthEnd = periodEnd('month_read', new Date()).getTime();
    await expect
      .poll(
        async () =>
          (await refreshJobs()).map((j) => [j.state, new Date(j.start_after).getTime() >= monthEnd]),
        {
          timeout: conditionMs,
        },
      )
      .toEqual([
        ['completed', false],
        ['created', true],
      ]);
    const [, again] = await refreshJobs();
    expect(again?.singleton_key).toBe(refreshSingletonKey(job));
    await expect
      .poll(async () =>
        (await jobsOf(queues.unpostedSweep, sql<boolean>`data->>'tenantId' = ${world.tenant.id}`)).map(
          (j) => [j.state, new Date(j.start_after).getTime() >= monthEnd],
        ),
      )
      .toEqual([
        ['completed', false],
        ['created', true],
      ]);
    // 950 is past where payment events give way too (90% of the cap), though they give way last.
    await expect
      .poll(
        async () => (await eventJobs()).map((j) => [j.state, new Date(j.start_after).getTime() >= monthEnd]),
        { timeout: conditionMs },
      )
      .toEqual([
        ['completed', false],
        ['created', true],
      ]);
  });

  it('once the budget allows (a new month: no use), the deferred refresh runs and is not deferred again', async () => {
    await sql`delete from call_counts where key = ${ledgerKey()}`.execute(world.pod.database.db);
    const [, deferred] = await refreshJobs();
    expect(deferred?.state).toBe('created');
    await sql`update pgboss.job set start_after = now() where id = ${deferred!.id}`.execute(
      world.pod.database.db,
    );
    await expect
      .poll(async () => (await refreshJobs()).map((j) => j.state), { timeout: conditionMs })
      .toEqual(['completed', 'completed']);
    const [, event] = await eventJobs();
    await sql`update pgboss.job set start_after = now() where id = ${event!.id}`.execute(
      world.pod.database.db,
    );
    await expect
      .poll(async () => (await eventJobs()).map((j) => j.state), { timeout: conditionMs })
      .toEqual(['completed', 'completed']);
  });

  it('the health tab measures the connection against the configured tier, not the published default', async () => {
    world.pod.services.meter.count(ledgerKey(), 'read');
    await world.pod.services.meter.flush();
    const res = await api(world.pod.url, world.token.admin, 'GET', '/api/v1/admin/health');
    expect(res.status).toBe(200);
    expect(res.body.connections[0].budgets[0]).toMatchObject({ label: 'QBO reads this month', cap });
  });
});
