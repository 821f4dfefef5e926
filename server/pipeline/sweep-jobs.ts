import { sql } from 'kysely';
import type { UnpostedInvoice } from '../connectwise/index.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { createQueues, queues, type SweepJob } from '../jobs/queues.js';
import { unpostedInvoiceColumns } from '../records/invoice-columns.js';
import { datedBeforeCutoff, isOnboardedHistory, onboardingCutoff } from '../records/onboarded-history.js';
import { invoiceRecordType } from '../records/record-kinds.js';
import type { RecordJobDeps } from './deps.js';
import { requestPush } from './requests.js';
import { resendStaleQueued } from './stale-queued.js';

/** Lists the tenant's unposted records in Ledgerpod (without pushing them), at most once a minute. */
export async function requestDiscovery(jobs: JobQueue, tenantId: string): Promise<void> {
  await jobs.boss.sendThrottled(queues.unpostedDiscover, { tenantId }, {}, 60, tenantId);
}

/**
 * Records CW holds as unposted become known to Ledgerpod as `unposted`, so the workbench lists
 * them before anybody opened them. Nothing is pushed; records Ledgerpod already works on are left.
 */
export async function discoverUnposted(deps: RecordJobDeps, tenantId: string): Promise<number> {
  const tenant = await deps.tenants.get(tenantId);
  if (!tenant) return 0;
  let found = 0;
  for await (const page of deps.connectWise.for(tenant).unpostedPages('invoices')) {
    for (const u of page) if (await discoverOne(deps, tenantId, u)) found += 1;
  }
  return found;
}

/** One unposted invoice or credit memo made known as `unposted`, unless Ledgerpod already works on it. */
export async function discoverOne(
  deps: Pick<RecordJobDeps, 'records'>,
  tenantId: string,
  u: UnpostedInvoice,
): Promise<boolean> {
  const type = invoiceRecordType(u.invoiceType);
  const record = await deps.records.ensure({ tenantId, type, cwId: u.id });
  if (record.state !== 'unknown' && record.state !== 'not_closed') return false;
  const columns = unpostedInvoiceColumns(u, record);
  // Only while nothing else moved it on: a push may have started since it was read.
  await deps.records.transitionIf(record, ['unknown', 'not_closed'], {
    to: 'unposted',
    set: columns,
    actor: 'connectwise',
    kind: 'discovered',
  });
  return true;
}

export async function requestSweep(jobs: JobQueue, job: SweepJob): Promise<void> {
  await jobs.send(queues.unpostedSweep, job, { singletonKey: job.tenantId });
}

/**
 * Every unposted invoice and credit memo in the tenant's ConnectWise, each sent down the record
 * pipeline (one job per record; records already queued or running are not queued twice), except
 * those dated on or before the onboarding cutoff that are not onboarded history.
 */
export async function sweepUnposted(deps: RecordJobDeps, job: SweepJob): Promise<number> {
  const tenant = await deps.tenants.get(job.tenantId);
  if (!tenant) return 0;
  let queued = 0;
  let history = 0;
  const cutoff = await onboardingCutoff(deps.db, tenant.id);
  for await (const page of deps.connectWise.for(tenant).unpostedPages('invoices')) {
    for (const unposted of page) {
      const type = invoiceRecordType(unposted.invoiceType);
      const key = { tenantId: tenant.id, type, cwId: unposted.id } as const;
      // History already in the books is left alone: a push would only be refused, again at every
      // sweep. A fixed onboarding failure still goes (its push job onboards it again).
      if (datedBeforeCutoff(unposted.invoiceDate, cutoff)) {
        const record = await deps.records.get(key);
        if (!record || !isOnboardedHistory(record)) {
          history += 1;
          continue;
        }
      }
      await requestPush(deps, key, job.actor);
      queued += 1;
    }
  }
  await deps.db
    .updateTable('tenants')
    .set({ settings: sql`jsonb_set(settings, '{lastSweepAt}', to_jsonb(now()::text))` })
    .where('id', '=', tenant.id)
    .execute();
  deps.logger.info({ tenantId: tenant.id, queued, history, actor: job.actor }, 'unposted records swept');
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
  await createQueues(deps.jobs);
  await deps.jobs.work<SweepJob>(queues.unpostedSweep, async (job) => {
    await sweepUnposted(deps, job);
  });
  await deps.jobs.work(queues.unpostedSweepTick, async () => {
    for (const tenantId of await dueSweeps(deps))
      await requestSweep(deps.jobs, { tenantId, actor: 'schedule' });
    await resendStaleQueued(deps);
  });
  await deps.jobs.boss.schedule(queues.unpostedSweepTick, '* * * * *');
  await deps.jobs.work<{ tenantId: string }>(queues.unpostedDiscover, async (job) => {
    await discoverUnposted(deps, job.tenantId);
  });
}
