import type { JobQueue } from '../jobs/job-queue.js';
import { attemptOf } from '../jobs/job-queue.js';
import { createQueues, jobHeartbeatSeconds, pushRetry, queues } from '../jobs/queues.js';
import type { CorrectionDeps } from './correction-read.js';
import { type CorrectionJob, runCorrection } from './run-correction.js';

export const correctionSingletonKey = (job: CorrectionJob) => `${job.tenantId}:correction:${job.cwId}`;

export async function requestCorrection(jobs: JobQueue, job: CorrectionJob): Promise<void> {
  await jobs.send(queues.correction, job, { singletonKey: correctionSingletonKey(job), ...pushRetry });
}

export async function startCorrectionWorkers(deps: CorrectionDeps): Promise<void> {
  await createQueues(deps.jobs);
  await deps.jobs.work<CorrectionJob>(
    queues.correction,
    async (data, job) => runCorrection(deps, data, attemptOf(job, pushRetry.retryLimit)),
    { concurrency: 2, includeMetadata: true, heartbeatSeconds: jobHeartbeatSeconds },
  );
}
