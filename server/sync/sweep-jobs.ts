import { sql } from 'kysely';
import type { JobQueue } from '../jobs/job-queue.js';

import { type RecordJobDeps, requestPush } from './record-jobs.js';

export interface SweepJob {
  tenantId: string;
  /** Who asked: a member identifier ("sync all") or `schedule`. */
  actor: string;
}

export const sweepQueue = 'unposted-sweep';
const tickQueue = 'unposted-sweep-tick';

export async function createSweepQueues(jobs: JobQueue): Promise<void> {
  // One sweep per tenant at a time, one more waiting.
  await jobs.ensureQueue(sweepQueue, { policy: 'stately', retryLimit: 3, retryDelay: 30 });
  await jobs.ensureQueue(tickQueue, { policy: 'singleton' });
}

export async function requestSweep(jobs: JobQueue, job: SweepJob): Promise<void> {
  await jobs.send(sweepQueue, job, { singletonKey: job.tenantId });
}

/**
 * Every unposted invoice and credit memo in the tenant's ConnectWise, each sent down the record
 * pipeline (one job per record; records already queued or running are not queued twice).
 */
export async function sweepUnposted(deps: RecordJobDeps, job: SweepJob): Promise<number> {
  const tenant = await deps.tenants.get(job.tenantId);
  if (!tenant) return 0;
  let queued = 0;
  for await (const page of deps.connectWise.for(tenant).unpostedPages('invoices')) {
    for (const unposted of page) {
      const type = unposted.invoiceType === 'CreditMemo' ? 'credit_memo' : 'invoice';
      await requestPush(deps, { tenantId: tenant.id, type, cwId: unposted.id }, job.actor);
      queued += 1;
    }
  }
  await deps.db
    .updateTable('tenants')
    .set({ settings: sql`jsonb_set(settings, '{lastSweepAt}', to_jsonb(now()::text))` })
    .where('id', '=', tenant.id)
    .execute();
  deps.logger.info({ tenantId: tenant.id, queued, actor: job.actor }, 'unposted records swept');
  return queued;
}

/** Tenants whose schedule (settings.sweepMinutes > 0) is due get a sweep; checked every minute. */
export async function dueSweeps(deps: Pick<RecordJobDeps, 'db'>): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('tenants')
    .select('id')
    .where(sql<boolean>`coalesce((settings->>'sweepMinutes')::int, 0) > 0`)
    .where(
      sql<boolean>`coalesce((settings->>'lastSweepAt')::timestamptz, '-infinity') <= now() - make_interval(mins => (settings->>'sweepMinutes')::int)`,
    )
    .execute();
  return rows.map((r) => r.id);
}

export async function startSweepWorkers(deps: RecordJobDeps): Promise<void> {
  await createSweepQueues(deps.jobs);
  await deps.jobs.work<SweepJob>(sweepQueue, async (job) => {
    await sweepUnposted(deps, job);
  });
  await deps.jobs.work(tickQueue, async () => {
    for (const tenantId of await dueSweeps(deps))
      await requestSweep(deps.jobs, { tenantId, actor: 'schedule' });
  });
  await deps.jobs.boss.schedule(tickQueue, '* * * * *');
}
