import PgBoss from 'pg-boss';
import type { Logger } from '../shared/log.js';
import type { Metrics } from '../shared/metrics.js';
import { storableError } from '../shared/redact.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export type JobHandler<T> = (data: T, job: PgBoss.Job<T>) => Promise<void>;

export interface WorkOptions {
  /** How many jobs of this queue one process runs at once. */
  concurrency?: number;
  pollingIntervalSeconds?: number;
  /** Hands the handler retryCount and retryLimit (pg-boss job metadata). */
  includeMetadata?: boolean;
  /**
   * While the handler runs, its job's start time is moved forward this often, so a queue can have
   * a short expiry (a dead worker's job comes back quickly) without expiring a live long job.
   * pg-boss 10 has no heartbeat of its own: it expires a job `expire_in` after `started_on`.
   */
  heartbeatSeconds?: number;
}

/**
 * Asked before a job of a guarded queue runs (metering/budget-jobs.ts): `deferUntil` sends the same
 * job again to start then (same data, same singleton key) and completes this one, so a deferred job
 * is rescheduled, never dropped.
 */
/** Which try of its job a handler runs (with includeMetadata): the last one parks, earlier ones retry. */
export interface JobAttempt {
  retryCount: number;
  retryLimit: number;
}

export const attemptOf = (job: PgBoss.Job<object>, defaultLimit: number): JobAttempt => {
  const meta = job as PgBoss.JobWithMetadata<object>;
  return { retryCount: meta.retryCount ?? 0, retryLimit: meta.retryLimit ?? defaultLimit };
};

export type JobGuard<T> = (data: T) => Promise<{ deferUntil: Date; reason: string } | undefined>;

/** How often a worker process looks for expired jobs (a dead worker's) and other maintenance. */
export const maintenanceIntervalSeconds = 10;

/**
 * pg-boss on the product's own database. Web processes only send; worker processes also run
 * maintenance and handlers. Handlers registered with `work` are counted in the job metrics.
 */
export interface JobQueue {
  readonly boss: PgBoss;
  send<T extends object>(queue: string, data: T, options?: PgBoss.SendOptions): Promise<string | null>;
  work<T extends object>(queue: string, handler: JobHandler<T>, options?: WorkOptions): Promise<void>;
  ensureQueue(queue: string, options?: Omit<PgBoss.Queue, 'name'>): Promise<void>;
  /** Sets the guard asked before each job of `queue` runs in this process (JobGuard). */
  guard<T extends object>(queue: string, check: JobGuard<T>): void;
  isReady(): Promise<boolean>;
  /** Stops taking jobs, waits for running ones (up to `timeoutMs`), then releases the rest. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface JobQueueOptions {
  url: string;
  logger: Logger;
  metrics: Metrics;
  runsWorkers: boolean;
}

export async function startJobQueue(options: JobQueueOptions): Promise<JobQueue> {
  const { logger, metrics } = options;
  const boss = new PgBoss({
    connectionString: options.url,
    schema: 'pgboss',
    max: 4,
    supervise: options.runsWorkers,
    // Jobs of a worker that died come back after their expiry, found at the next maintenance.
    maintenanceIntervalSeconds,
    schedule: options.runsWorkers,
  });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  await boss.start();
  const known = new Set<string>();
  let stopping = false;
  const running = new Set<Promise<void>>();
  const guards = new Map<string, JobGuard<object>>();

  /**
   * True when the queue's guard deferred the job: sent again for later, this run is done. A guard
   * that fails lets the job run (a budget read must never stop the work it meters).
   */
  async function deferred<T extends object>(queue: string, job: PgBoss.Job<T>): Promise<boolean> {
    const check = guards.get(queue);
    if (!check) return false;
    const verdict = await check(job.data).catch((error: unknown) => {
      logger.warn({ err: error, queue, jobId: job.id }, 'budget guard failed; running the job');
      return undefined;
    });
    if (!verdict) return false;
    const singletonKey = (job as Partial<PgBoss.JobWithMetadata<T>>).singletonKey;
    const again = await boss.send(queue, job.data, {
      startAfter: verdict.deferUntil,
      ...(singletonKey ? { singletonKey } : {}),
    });
    metrics.jobs.inc({ queue, outcome: 'deferred' });
    // `again` is null when a job of the same key already waits: that one stands for this one.
    logger.info(
      { queue, jobId: job.id, deferredAs: again, until: verdict.deferUntil, reason: verdict.reason },
      'job deferred by its budget',
    );
    return true;
  }

  /**
   * One slot of a queue whose jobs beat while they run. pg-boss's own worker gives up on a handler
   * at the job's expiry (it fails the job and fetches the next while the handler goes on), so a
   * short expiry would hand a live long job to a second worker. This loop fetches, runs and settles
   * the job itself, moving its start time forward every `heartbeatSeconds`: `expire_in` then only
   * ever runs out for a job whose worker died. A database that is away (failover) costs a poll.
   */
  async function beatingWorker<T>(
    queue: string,
    runOne: (job: PgBoss.Job<T>) => Promise<void>,
    heartbeatSeconds: number,
    pollingIntervalSeconds = 0.5,
  ): Promise<void> {
    while (!stopping) {
      let job: PgBoss.JobWithMetadata<T> | undefined;
      try {
        [job] = await boss.fetch<T>(queue, { batchSize: 1, includeMetadata: true });
      } catch (error) {
        logger.warn({ err: error, queue }, 'fetching a job failed; trying again');
      }
      if (!job) {
        await sleep(pollingIntervalSeconds * 1000);
        continue;
      }
      const current = job;
      const beat = setInterval(() => {
        // Only while this run is still the job's active run; a failover just skips a beat.
        boss
          .getDb()
          .executeSql(
            `update pgboss.job set started_on = now() where name = $1 and id = $2 and state = 'active'`,
            [queue, current.id],
          )
          .catch((error: unknown) =>
            logger.debug({ err: error, queue, jobId: current.id }, 'job heartbeat failed'),
          );
      }, heartbeatSeconds * 1000);
      const done = runOne(current)
        .then(
          () => boss.complete(queue, current.id),
          (error: unknown) => boss.fail(queue, current.id, error as object),
        )
        .then(
          () => undefined,
          // The outcome could not be stored (database away): the job expires and runs again, safely.
          (error: unknown) =>
            logger.warn({ err: error, queue, jobId: current.id }, 'storing a job outcome failed'),
        )
        .finally(() => clearInterval(beat));
      running.add(done);
      await done;
      running.delete(done);
    }
  }

  const ensureQueue: JobQueue['ensureQueue'] = async (queue, queueOptions) => {
    if (known.has(queue)) return;
    if (!(await boss.getQueue(queue))) await boss.createQueue(queue, { name: queue, ...queueOptions });
    // A queue made by an older release keeps its options until told: tell it this release's.
    else if (queueOptions) await boss.updateQueue(queue, { name: queue, ...queueOptions });
    known.add(queue);
  };

  return {
    boss,
    ensureQueue,
    guard(queue, check) {
      guards.set(queue, check as JobGuard<object>);
    },
    async send(queue, data, sendOptions) {
      await ensureQueue(queue);
      return boss.send(queue, data, sendOptions ?? {});
    },
    async work<T extends object>(queue: string, handler: JobHandler<T>, workOptions: WorkOptions = {}) {
      if (!options.runsWorkers)
        throw new Error(`this process (web role) does not run workers; cannot work ${queue}`);
      await ensureQueue(queue);
      const runOne = async (job: PgBoss.Job<T>) => {
        try {
          if (await deferred(queue, job)) return;
          await handler(job.data, job);
          metrics.jobs.inc({ queue, outcome: 'completed' });
        } catch (error) {
          metrics.jobs.inc({ queue, outcome: 'failed' });
          logger.warn({ err: error, queue, jobId: job.id }, 'job failed');
          // pg-boss stores what is thrown in pgboss.job.output: never an SDK's request or response.
          throw storableError(error);
        }
      };
      if (workOptions.heartbeatSeconds) {
        for (let i = 0; i < (workOptions.concurrency ?? 1); i++)
          void beatingWorker(queue, runOne, workOptions.heartbeatSeconds, workOptions.pollingIntervalSeconds);
        return;
      }
      // pg-boss runs one batch per worker at a time: concurrency means several workers.
      for (let i = 0; i < (workOptions.concurrency ?? 1); i++) {
        await boss.work(
          queue,
          {
            batchSize: 1,
            pollingIntervalSeconds: workOptions.pollingIntervalSeconds ?? 0.5,
            // The singleton key, for a guard's deferral to keep it.
            includeMetadata: true,
          },
          async ([job]: PgBoss.JobWithMetadata<T>[]) => {
            if (job) await runOne(job);
          },
        );
      }
    },
    async isReady() {
      return Boolean(await boss.isInstalled());
    },
    async stop(timeoutMs = 20_000) {
      stopping = true;
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...running]),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      await boss.stop({
        graceful: true,
        wait: true,
        timeout: Math.max(1_000, timeoutMs - (Date.now() - started)),
      });
    },
  };
}
