import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.js';
import { startJobQueue } from '../../server/jobs/job-queue.js';
import { createQueues } from '../../server/jobs/queues.js';
import { createLogger } from '../../server/shared/log.js';
import { createMetrics } from '../../server/shared/metrics.js';
import { createTestDatabase } from '../support/test-database.js';

describe('job queue', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  const start = (runsWorkers = true) =>
    startJobQueue({
      url: database.url,
      logger: createLogger('silent'),
      metrics: createMetrics(),
      runsWorkers,
    });

  it('runs a sent job and counts it', async () => {
    const metrics = createMetrics();
    const jobs = await startJobQueue({
      url: database.url,
      logger: createLogger('silent'),
      metrics,
      runsWorkers: true,
    });
    const seen: number[] = [];
    await jobs.work<{ n: number }>('test-run', async (data) => {
      seen.push(data.n);
    });
    await jobs.send('test-run', { n: 7 });
    await expect.poll(() => seen, { timeout: 10_000 }).toEqual([7]);
    await expect
      .poll(async () =>
        (await metrics.registry.getSingleMetricAsString('ledgerpod_jobs_total')).includes('completed'),
      )
      .toBe(true);
    await jobs.stop();
  });

  it('stops gracefully: a running job finishes before stop resolves', async () => {
    const jobs = await start();
    let finished = false;
    let started = false;
    await jobs.work('test-graceful', async () => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      finished = true;
    });
    await jobs.send('test-graceful', {});
    await expect.poll(() => started, { timeout: 10_000 }).toBe(true);
    await jobs.stop();
    expect(finished).toBe(true);
  });

  it("a queue made by an older release takes this release's options", async () => {
    const jobs = await start();
    await jobs.ensureQueue('test-options', { policy: 'stately', retryLimit: 1 });
    const later = await start();
    await later.ensureQueue('test-options', { policy: 'stately', retryLimit: 5, expireInSeconds: 60 });
    expect(await later.boss.getQueue('test-options')).toMatchObject({
      policy: 'stately',
      retryLimit: 5,
      expireInSeconds: 60,
    });
    await Promise.all([jobs.stop(), later.stop()]);
  });

  it("no stately queue of the product keeps a dead worker's job for pg-boss's default 15 minutes", async () => {
    const jobs = await start();
    await createQueues(jobs);
    await createQueues(jobs);
    await createQueues(jobs);
    const stately = (await jobs.boss.getQueues()).filter((q) => q.policy === 'stately');
    expect(stately.map((q) => q.name).sort()).toEqual(
      expect.arrayContaining(['payments-sweep', 'record-push', 'record-refresh']),
    );
    for (const queue of stately)
      expect([queue.name, (queue.expireInSeconds ?? Number.POSITIVE_INFINITY) <= 300]).toEqual([
        queue.name,
        true,
      ]);
    await jobs.stop();
  });

  it('a web-role queue sends but refuses to work', async () => {
    const web = await start(false);
    expect(await web.send('test-web', { a: 1 })).toEqual(expect.any(String));
    await expect(web.work('test-web', async () => undefined)).rejects.toThrow(/web role/);
    await web.stop();
  });
});
