import { sql } from 'kysely';
import type { JobQueue } from '../jobs/job-queue.js';
import { toMinor } from '../money.js';

import { type RecordJobDeps, requestPush } from './record-jobs.js';

export interface SweepJob {
  tenantId: string;
  /** Who asked: a member identifier ("sync all") or `schedule`. */
  actor: string;
}

export const sweepQueue = 'unposted-sweep';
export const discoverQueue = 'unposted-discover';
const tickQueue = 'unposted-sweep-tick';

export async function createSweepQueues(jobs: JobQueue): Promise<void> {
  // One sweep per tenant at a time, one more waiting.
  // Expiries well under pg-boss's 15 minutes: a dead worker's job must not stall its stately queue.
  await jobs.ensureQueue(sweepQueue, {
    policy: 'stately',
    retryLimit: 3,
    retryDelay: 30,
    expireInSeconds: 300,
  });
  await jobs.ensureQueue(tickQueue, { policy: 'singleton' });
  await jobs.ensureQueue(discoverQueue, {
    policy: 'stately',
    retryLimit: 2,
    retryDelay: 10,
    expireInSeconds: 120,
  });
}

/** Lists the tenant's unposted records in Ledgerpod (without pushing them), at most once a minute. */
export async function requestDiscovery(jobs: JobQueue, tenantId: string): Promise<void> {
  await jobs.boss.sendThrottled(discoverQueue, { tenantId }, {}, 60, tenantId);
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
    for (const u of page) {
      const type = u.invoiceType === 'CreditMemo' ? 'credit_memo' : 'invoice';
      const record = await deps.records.ensure({ tenantId, type, cwId: u.id });
      if (record.state !== 'unknown' && record.state !== 'not_closed') continue;
      const decimals = u.currency?.numberOfDecimals ?? record.decimals;
      const total = String(toMinor(Math.abs(u.total ?? 0), decimals));
      const columns = {
        type,
        number: u.invoiceNumber,
        record_date: u.invoiceDate?.slice(0, 10) || null,
        company_id: u.company?.id == null ? null : String(u.company.id),
        company_name: u.company?.name ?? '',
        currency: u.currency?.currencyCode ?? record.currency,
        decimals,
        total_minor: total,
        balance_minor: total,
      } as const;
      // Only while nothing else moved it on: a push may have started since it was read.
      await deps.records.transitionIf(record, ['unknown', 'not_closed'], {
        to: 'unposted',
        set: columns,
        actor: 'connectwise',
        kind: 'discovered',
      });
      found += 1;
    }
  }
  return found;
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
  await deps.jobs.work<{ tenantId: string }>(discoverQueue, async (job) => {
    await discoverUnposted(deps, job.tenantId);
  });
}
