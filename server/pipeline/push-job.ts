import type { Invoice } from '../connectwise/index.js';
import type { PushRecordJob } from '../jobs/queues.js';
import { onboardAgain } from '../onboarding/onboarding.js';
import { isOnboardedHistory } from '../records/onboarded-history.js';
import { isGlRecordType } from '../records/record-kinds.js';
import { settledStates } from '../records/record-states.js';
import type { RecordKey } from '../records/record-store.js';
import { storedErrorOf } from '../records/stored-error.js';
import { applyCreditsAfterPush } from './credit-application.js';
import type { RecordJobDeps } from './deps.js';
import { pushContextFor } from './push-context.js';
import { pushGlRecord } from './push-gl-record.js';
import { pushInvoice } from './push-invoice.js';

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
  if (!record || settledStates.has(record.state)) return;
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
    else if (isGlRecordType(record.type)) await pushGlRecord(ctx, record);
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
    if (!latest || settledStates.has(latest.state)) return;
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
