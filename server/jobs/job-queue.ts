import PgBoss from 'pg-boss';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';

export type JobHandler<T> = (data: T, job: PgBoss.Job<T>) => Promise<void>;

export interface WorkOptions {
  /** How many jobs of this queue one process runs at once. */
  concurrency?: number;
  pollingIntervalSeconds?: number;
  /** Hands the handler retryCount and retryLimit (pg-boss job metadata). */
  includeMetadata?: boolean;
}

/**
 * pg-boss on the product's own database. Web processes only send; worker processes also run
 * maintenance and handlers. Handlers registered with `work` are counted in the job metrics.
 */
export interface JobQueue {
  readonly boss: PgBoss;
  send<T extends object>(queue: string, data: T, options?: PgBoss.SendOptions): Promise<string | null>;
  work<T extends object>(queue: string, handler: JobHandler<T>, options?: WorkOptions): Promise<void>;
  ensureQueue(queue: string, options?: Omit<PgBoss.Queue, 'name'>): Promise<void>;
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
    // Jobs of a worker that died come back after their expiry; check for them every half minute.
    maintenanceIntervalSeconds: 30,
    schedule: options.runsWorkers,
  });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  await boss.start();
  const known = new Set<string>();

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
    async send(queue, data, sendOptions) {
      await ensureQueue(queue);
      return boss.send(queue, data, sendOptions ?? {});
    },
    async work<T extends object>(queue: string, handler: JobHandler<T>, workOptions: WorkOptions = {}) {
      if (!options.runsWorkers)
        throw new Error(`this process (web role) does not run workers; cannot work ${queue}`);
      await ensureQueue(queue);
      const run = async ([job]: PgBoss.Job<T>[]) => {
        if (!job) return;
        try {
          await handler(job.data, job);
          metrics.jobs.inc({ queue, outcome: 'completed' });
        } catch (error) {
          metrics.jobs.inc({ queue, outcome: 'failed' });
          logger.warn({ err: error, queue, jobId: job.id }, 'job failed');
          throw error;
        }
      };
      // pg-boss runs one batch per worker at a time: concurrency means several workers.
      for (let i = 0; i < (workOptions.concurrency ?? 1); i++) {
        await boss.work(
          queue,
          { batchSize: 1, pollingIntervalSeconds: workOptions.pollingIntervalSeconds ?? 0.5 },
          run,
        );
      }
    },
    async isReady() {
      return Boolean(await boss.isInstalled());
    },
    async stop(timeoutMs = 20_000) {
      await boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
    },
  };
}
