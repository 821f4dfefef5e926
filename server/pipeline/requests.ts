import type { RecordRow } from '../db/schema.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { OnboardingJob, PushRecordJob } from '../jobs/queues.js';
import { pushRetry, queues, recordSingletonKey } from '../jobs/queues.js';
import { settledStates } from '../records/record-states.js';
import type { RecordKey } from '../records/record-store.js';
import type { RecordJobDeps } from './deps.js';

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
  for (let tries = 0; tries < 5 && !settledStates.has(record.state) && record.state !== 'queued'; tries++) {
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

/** Queues (the next slice of) an onboarding run. */
export async function requestOnboarding(jobs: JobQueue, job: OnboardingJob): Promise<void> {
  await jobs.send(queues.onboarding, job, { singletonKey: job.runId });
}
