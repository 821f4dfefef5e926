import { attemptOf } from '../jobs/job-queue.js';
import {
  createQueues,
  jobHeartbeatSeconds,
  type OnboardingJob,
  type PushRecordJob,
  pushRetry,
  queues,
  type RefreshRecordJob,
} from '../jobs/queues.js';
import { runOnboarding } from '../onboarding/onboarding.js';
import type { RecordJobDeps } from './deps.js';
import { runPushJob } from './push-job.js';
import { refreshRecord } from './refresh-record.js';
import { requestOnboarding } from './requests.js';

/** How long one onboarding job works before handing the rest of its run to the next job. */
export const onboardingSliceMs = 40_000;

export async function startRecordWorkers(
  deps: RecordJobDeps,
  options: { concurrency?: number } = {},
): Promise<void> {
  await createQueues(deps.jobs);
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
    async (data, job) => runPushJob(deps, data, attemptOf(job, pushRetry.retryLimit)),
    { concurrency: options.concurrency ?? 4, includeMetadata: true, heartbeatSeconds: jobHeartbeatSeconds },
  );
}
