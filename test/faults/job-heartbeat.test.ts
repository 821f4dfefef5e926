import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.js';
import { type JobQueue, maintenanceIntervalSeconds, startJobQueue } from '../../server/jobs/job-queue.js';
import { createQueues, jobExpirySeconds, jobHeartbeatSeconds, queues } from '../../server/jobs/queues.js';
import { createLogger } from '../../server/shared/log.js';
import { createMetrics } from '../../server/shared/metrics.js';
import { createTestDatabase } from '../support/test-database.js';

/**
 * Issue 18, finding 7 (pushes and payments): a dead worker's push came back after ~120 s and its
 * payments sweep after ~300 s. Their expiry is short now, and a live job outlasting it is kept alive
 * by its heartbeat instead of being handed to a second worker.
 */
describe('short expiries, with a heartbeat for live jobs', () => {
  let database: DatabaseHandle;
  let jobs: JobQueue;
  beforeAll(async () => {
    database = await createTestDatabase();
    jobs = await startJobQueue({
      url: database.url,
      logger: createLogger('silent'),
      metrics: createMetrics(),
      runsWorkers: true,
    });
  });
  afterAll(async () => {
    await jobs?.stop(2_000);
    await database?.close();
  });

  /** pg-boss's expiry pass, run now instead of at the next maintenance. */
  const expireNow = () => (jobs.boss as unknown as { expire(): Promise<void> }).expire();

  it('a dead worker’s push or payments sweep comes back within a minute', async () => {
    await createQueues(jobs);
    await createQueues(jobs);
    for (const name of [queues.pushRecord, queues.paymentsSweep]) {
      const queue = await jobs.boss.getQueue(name);
      expect(queue?.expireInSeconds, name).toBe(jobExpirySeconds);
    }
    // Expiry, plus a maintenance pass, plus a retry's delay and a poll: under a minute.
    expect(jobExpirySeconds + maintenanceIntervalSeconds + 5).toBeLessThan(60);
    expect(jobHeartbeatSeconds * 3).toBeLessThanOrEqual(jobExpirySeconds);
  });

  const runLongJob = async (queue: string, heartbeatSeconds: number | undefined) => {
    await jobs.ensureQueue(queue, { policy: 'standard', expireInSeconds: 2, retryLimit: 3, retryDelay: 0 });
    const runs: number[] = [];
    let finished = 0;
    await jobs.work(
      queue,
      async () => {
        runs.push(Date.now());
        await new Promise((resolve) => setTimeout(resolve, 6_000));
        finished += 1;
      },
      { heartbeatSeconds, pollingIntervalSeconds: 0.5 },
    );
    const id = await jobs.send(queue, {});
    // Expiry passes throughout the run, as a busy maintenance would make.
    const deadline = Date.now() + 30_000;
    while (finished === 0 && Date.now() < deadline) {
      await expireNow();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const job = await jobs.boss.getJobById(queue, id!);
    return { runs: runs.length, finished, state: job?.state };
  };

  it('a live job running three times its expiry is not expired while it beats', async () => {
    expect(await runLongJob('test-heartbeat-on', 0.5)).toEqual({ runs: 1, finished: 1, state: 'completed' });
  });

  it('without a heartbeat the same job is expired and run a second time (what the beat prevents)', async () => {
    const outcome = await runLongJob('test-heartbeat-off', undefined);
    expect(outcome.runs).toBeGreaterThan(1);
  });
});
