import type { JobQueue } from './job-queue.js';
import { type DriftCheckJob, queues, recordSingletonKey } from './queues.js';

/**
 * Asks for one record's drift check. A few seconds late on purpose: a payment sweep or a burst of
 * callbacks touching one record then costs one check, not one each (one queued per record).
 */
export async function requestDriftCheck(jobs: JobQueue, job: DriftCheckJob): Promise<void> {
  await jobs.send(queues.driftCheck, job, {
    singletonKey: recordSingletonKey(job),
    ...(job.reason === 'manual' ? {} : { startAfter: 5 }),
  });
}
