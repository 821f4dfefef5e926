import { createQueues, type DriftCheckJob, queues } from '../jobs/queues.js';
import { requestDriftCheck } from '../jobs/request-drift-check.js';
import type { RecordJobDeps } from '../pipeline/deps.js';
import { checkRecord } from './check-record.js';
import { dueForCheck } from './drift-store.js';

/**
 * The slow rolling pass: every `everyMinutes` a few synced records whose last check is oldest (or
 * who were never checked) are checked, each once a week at most. Small on purpose: a Xero Starter
 * organisation has 1,000 calls a day and a check costs it 2; the budget guard (budget-guards.ts)
 * holds these back first anyway when a connection nears its cap. Events (payments, callbacks) and
 * members asking check sooner.
 */
export const rollingPass = { recordsPerTick: 4, recheckAfterMs: 7 * 86_400_000 } as const;

/** One tick of the rolling pass: the records due, each sent as its own (guarded) check. */
export async function sendRollingChecks(
  deps: Pick<RecordJobDeps, 'db' | 'jobs'>,
  now = new Date(),
): Promise<number> {
  const due = await dueForCheck(
    deps.db,
    rollingPass.recordsPerTick,
    new Date(now.getTime() - rollingPass.recheckAfterMs),
  );
  for (const r of due)
    await requestDriftCheck(deps.jobs, {
      tenantId: r.tenant_id,
      type: r.type,
      cwId: Number(r.cw_id),
      reason: 'rolling',
    });
  return due.length;
}

/** `everyMinutes` 0 leaves the rolling pass off (tests run ticks themselves); checks are worked either way. */
export async function startDriftWorkers(deps: RecordJobDeps, everyMinutes = 15): Promise<void> {
  await createQueues(deps.jobs);
  await deps.jobs.work<DriftCheckJob>(queues.driftCheck, async (job) => {
    const record = await deps.records.get(job);
    if (!record) return;
    const found = await checkRecord(deps, record);
    if (found && found.differences.length > 0)
      deps.logger.info(
        { tenantId: job.tenantId, record: record.number, codes: found.differences.map((d) => d.code) },
        'differences between ConnectWise and the books',
      );
  });
  if (everyMinutes <= 0) {
    await deps.jobs.boss.unschedule(queues.driftTick);
    return;
  }
  await deps.jobs.work(queues.driftTick, async () => {
    await sendRollingChecks(deps);
  });
  await deps.jobs.boss.schedule(queues.driftTick, `*/${everyMinutes} * * * *`);
}
