import type PgBoss from 'pg-boss';
import type { Invoice } from '../connectwise/index.js';
import type { Db } from '../db/database.js';
import type { LedgerConnection, RecordRow, Tenant } from '../db/schema.js';
import type { JobQueue } from '../jobs/job-queue.js';
import {
  type OnboardingJob,
  type PushRecordJob,
  queues,
  type RecordJob,
  type RefreshRecordJob,
  recordSingletonKey,
} from '../jobs/queues.js';
import type { ConnectionStore } from '../ledgers/connections/connection-store.js';
import type { Ledger } from '../ledgers/ledger.js';
import { onboardAgain, runOnboarding } from '../onboarding/onboarding.js';
import { loadMappings } from '../records/mappings.js';
import { isOnboardedHistory, onboardingCutoff } from '../records/onboarded-history.js';
import type { RecordKey, RecordStore } from '../records/record-store.js';
import { storedErrorOf } from '../records/stored-error.js';
import type { Logger } from '../shared/log.js';
import type { TenantConnectWise } from '../tenants/tenant-connectwise.js';
import type { TenantStore } from '../tenants/tenant-store.js';
import { applyCreditsAfterPush } from './credit-application.js';
import { isOtherRecordType } from './gl-record-export.js';
import { pushOtherRecord } from './push-gl-record.js';
import { type InvoicePushContext, pushInvoice } from './push-invoice.js';
import { refreshRecord } from './refresh-record.js';

export interface LedgerFactory {
  for(connection: LedgerConnection): Ledger;
}

export interface RecordJobDeps {
  db: Db;
  jobs: JobQueue;
  logger: Logger;
  records: RecordStore;
  tenants: TenantStore;
  connectWise: TenantConnectWise;
  connections: ConnectionStore;
  ledgers: LedgerFactory;
}

/** Expiry of push and payment jobs, and how often their running jobs beat (job-queue.ts). */
export const jobExpirySeconds = 30;
export const jobHeartbeatSeconds = 8;

/** Finished states: a push request for them is answered without work. */
const settled = new Set<RecordRow['state']>(['synced', 'partly_paid', 'paid', 'onboarded']);

export const pushRetry = { retryLimit: 8, retryDelay: 2, retryBackoff: true } as const;

/** Queues are created with their policies before anything is sent to them. */
export async function createRecordQueues(jobs: JobQueue): Promise<void> {
  // stately: at most one queued and one running job per record (singleton key).
  await jobs.ensureQueue(queues.pushRecord, {
    policy: 'stately',
    ...pushRetry,
    // A push normally takes seconds. A running push beats every pushHeartbeatSeconds, so one held
    // by a dead worker is re-run within this expiry plus a maintenance pass (well under a minute),
    // and a live push waiting on rate limits is never expired.
    expireInSeconds: jobExpirySeconds,
  });
  await jobs.ensureQueue(queues.onboarding, {
    policy: 'standard',
    retryLimit: 10,
    retryDelay: 5,
    retryBackoff: true,
    // A run goes in slices of onboardingSliceMs (each resumes where the last stopped, checking its
    // deadline every few records), so a job still active after this long belongs to a dead worker
    // and is run again: with pg-boss's 30 s maintenance, a killed run resumes within two minutes.
    // A slice that still overran would only race its retry harmlessly: records move by
    // transitionIf and CW refuses a batch identifier twice (onboardOne).
    expireInSeconds: 60,
  });
  await jobs.ensureQueue(queues.refreshRecord, {
    policy: 'stately',
    retryLimit: 5,
    retryDelay: 5,
    retryBackoff: true,
    // A refresh takes a call or two. One held by a dead worker blocks the queue's head (pg-boss
    // stately fetches fail while a key's active job lives), so it must not live pg-boss's 15 minutes.
    expireInSeconds: 60,
  });
}

/** How long one onboarding job works before handing the rest of its run to the next job. */
export const onboardingSliceMs = 40_000;

/** Queues (the next slice of) an onboarding run. */
export async function requestOnboarding(jobs: JobQueue, job: OnboardingJob): Promise<void> {
  await jobs.send(queues.onboarding, job, { singletonKey: job.runId });
}

/** How long a refresh's read of an invoice stands in for the push's own read of it. */
export const invoiceReadMaxAgeMs = 30_000;

/**
 * The invoice read the push job carries, while it is young enough to start the push from. Pure. It
 * only saves the push's first read: the export that follows names the invoice only while it is
 * still closed and unposted, and CW is asked again just before the batch.
 */
export function youngInvoiceRead(job: PushRecordJob, now: Date): Invoice | undefined {
  const read = job.invoiceRead;
  if (!read || read.invoice.id !== job.cwId) return undefined;
  const age = now.getTime() - new Date(read.at).getTime();
  return age >= 0 && age <= invoiceReadMaxAgeMs ? read.invoice : undefined;
}

/** Marks the record queued and sends its push job (one per record at a time). */
export async function requestPush(
  deps: Pick<RecordJobDeps, 'jobs' | 'records'>,
  key: RecordKey,
  actor: string,
  invoiceRead?: PushRecordJob['invoiceRead'],
  options: Pick<PushRecordJob, 'bookOld'> = {},
): Promise<RecordRow> {
  let record = await deps.records.ensure(key);
  // Two writers at once (a click and a callback, a click and the discovery a first look queued)
  // queue it once: a transition lost to another writer is tried again on the state that won, or a
  // click would leave the record where the other writer put it ('unposted') and its job would find
  // nothing queued to push (seen on CI). The job goes out either way.
  // A push the other writer started meanwhile (exported, pushed) is left to go on.
  for (let tries = 0; tries < 5 && !settled.has(record.state) && record.state !== 'queued'; tries++) {
    const moved = await deps.records.transitionIf(record, [record.state], {
      to: 'queued',
      set: { last_error: null },
      actor,
      kind: 'queued',
    });
    if (moved) {
      record = moved;
      break;
    }
    record = await deps.records.ensure(key);
    if (record.state === 'exported' || record.state === 'pushed') break;
  }
  const job: PushRecordJob = {
    ...key,
    actor,
    ...(invoiceRead ? { invoiceRead } : {}),
    ...(options.bookOld ? { bookOld: true } : {}),
  };
  await deps.jobs.send(queues.pushRecord, job, { singletonKey: recordSingletonKey(job), ...pushRetry });
  return record;
}

export async function runPushJob(
  deps: RecordJobDeps,
  job: PushRecordJob,
  attempt: { retryCount: number; retryLimit: number },
): Promise<void> {
  const tenant = await deps.tenants.get(job.tenantId);
  if (!tenant) return;
  const key: RecordKey = { tenantId: job.tenantId, type: job.type, cwId: job.cwId };
  // A tenant removed after this job was queued (its records cascade away) leaves nothing to do.
  const record = await deps.records.ensure(key).catch(async (error: unknown) => {
    if (!(await deps.tenants.get(job.tenantId))) return undefined;
    throw error;
  });
  if (!record || settled.has(record.state)) return;
  // A correction of this record pushes it itself, its ledger update wrapped (server/correction/).
  if (await correctionRunning(deps, record.id)) return;
  const ctx = await pushContextFor(deps, tenant, job.actor, { bookOld: job.bookOld === true });
  try {
    // Onboarded history is onboarded again (batched without posting), whoever asked: a Retry after
    // a fix, a callback or a sweep never books it. Only an admin's "book this old record" pushes it.
    if (!job.bookOld && isOnboardedHistory(record))
      await onboardAgain(
        { tenantId: tenant.id, db: deps.db, records: deps.records, cw: ctx.cw },
        record,
        job.actor,
      );
    else if (isOtherRecordType(record.type)) await pushOtherRecord(ctx, record);
    else {
      const pushed = await pushInvoice(ctx, record, youngInvoiceRead(job, new Date()));
      // A credit memo already applied in CW: make the same application in the ledger now.
      if (pushed.record.type === 'credit_memo')
        await applyCreditsAfterPush(deps, tenant, pushed.record, pushed.invoice, job.actor);
    }
  } catch (error) {
    const stored = storedErrorOf(error);
    const latest = await deps.records.get(key);
    // The tenant (and its records) went away meanwhile, or the last step was stored before the
    // failure: either way there is nothing left to do or report.
    if (!latest || settled.has(latest.state)) return;
    const lastAttempt = attempt.retryCount >= attempt.retryLimit;
    // Another run of this push holds the record: it writes the record's story, this one only retries.
    if (stored.code === 'record_busy' && !lastAttempt) throw error;
    if (!stored.retryable || lastAttempt) {
      // Parked in `error` with the code and hint; the record stays there to retry after a fix. Not
      // over a step another run stored since `latest` was read: that run tells the record's story.
      const parked = await deps.records.transitionIf(latest, [latest.state], {
        to: 'error',
        set: { last_error: JSON.stringify(stored) },
        actor: job.actor,
        kind: 'failed',
        detail: { code: stored.code, message: stored.message, attempts: attempt.retryCount + 1 },
      });
      if (!parked) return;
      deps.logger.info(
        { tenantId: job.tenantId, type: job.type, cwId: job.cwId, code: stored.code },
        'record push failed',
      );
      return;
    }
    await deps.records.fail(latest, stored, job.actor);
    throw error;
  }
}

const correctionRunning = async (deps: Pick<RecordJobDeps, 'db'>, recordId: string) =>
  (await deps.db
    .selectFrom('corrections')
    .select('id')
    .where('record_id', '=', recordId)
    .where('status', '=', 'running')
    .executeTakeFirst()) !== undefined;

export async function startRecordWorkers(
  deps: RecordJobDeps,
  options: { concurrency?: number } = {},
): Promise<void> {
  await createRecordQueues(deps.jobs);
  await deps.jobs.work<RefreshRecordJob>(queues.refreshRecord, (data) => refreshRecord(deps, data), {
    concurrency: options.concurrency ?? 4,
  });
  await deps.jobs.work<OnboardingJob>(queues.onboarding, async (data) => {
    const tenant = await deps.tenants.get(data.tenantId);
    if (!tenant) return;
    const outcome = await runOnboarding(
      { tenantId: tenant.id, db: deps.db, records: deps.records, cw: deps.connectWise.for(tenant) },
      data.runId,
      { until: Date.now() + onboardingSliceMs },
    );
    if (outcome === 'more') await requestOnboarding(deps.jobs, data);
  });
  await deps.jobs.work<PushRecordJob>(
    queues.pushRecord,
    async (data, job) => {
      const meta = job as PgBoss.JobWithMetadata<PushRecordJob>;
      await runPushJob(deps, data, {
        retryCount: meta.retryCount ?? 0,
        retryLimit: meta.retryLimit ?? pushRetry.retryLimit,
      });
    },
    { concurrency: options.concurrency ?? 4, includeMetadata: true, heartbeatSeconds: jobHeartbeatSeconds },
  );
}

export type { RecordJob };

/** What a push of one of this tenant's records needs (also what a check before a push reads). */
export async function pushContextFor(
  deps: Pick<RecordJobDeps, 'db' | 'records' | 'tenants' | 'connectWise' | 'connections' | 'ledgers'>,
  tenant: Tenant,
  actor: string,
  options: { bookOld?: boolean } = {},
): Promise<InvoicePushContext> {
  const settings = deps.tenants.settingsOf(tenant);
  return {
    records: deps.records,
    cw: deps.connectWise.for(tenant),
    batchPrefix: settings.batchPrefix,
    roundingLimit: settings.roundingLimit,
    actor,
    onboardingCutoff: await onboardingCutoff(deps.db, tenant.id),
    bookOld: options.bookOld === true,
    async route(locationId) {
      const connection = await deps.connections.routeFor(tenant.id, locationId);
      if (!connection) return undefined;
      return {
        connection,
        ledger: deps.ledgers.for(connection),
        mappings: await loadMappings(deps.db, connection.id),
      };
    },
  };
}
