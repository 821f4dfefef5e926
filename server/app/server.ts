import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import { startCorrectionWorkers } from '../correction/correction-jobs.js';
import { type DatabaseHandle, openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { guardBackgroundJobs } from '../jobs/budget-guards.js';
import { type JobQueue, startJobQueue } from '../jobs/job-queue.js';
import { createQueues } from '../jobs/queues.js';
import { startPaymentWorkers } from '../payments/payment-jobs.js';
import { startCallbackInboxWorker } from '../pipeline/callback-inbox.js';
import { startCallbackWatchWorkers } from '../pipeline/callback-watchdog.js';
import { startSweepWorkers } from '../pipeline/sweep-jobs.js';
import { startRecordWorkers } from '../pipeline/workers.js';
import { startDriftWorkers } from '../reconcile/drift-jobs.js';
import type { Config } from '../shared/config.js';
import { createLogger, type Logger } from '../shared/log.js';
import { createMetrics, type Metrics } from '../shared/metrics.js';
import { FrameOrigins } from '../tenants/frame-origins.js';
import { createApp } from './app.js';
import { apiRouters, createServices, type Services } from './services.js';

export interface Ledgerpod {
  config: Config;
  database: DatabaseHandle;
  jobs: JobQueue | undefined;
  logger: Logger;
  metrics: Metrics;
  frameOrigins: FrameOrigins;
  services: Services;
  /** Base URL the HTTP server answers on (a worker's serves only health and metrics). */
  url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /**
   * Node and process metrics (memory, event-loop lag, handles) on /metrics: on for a real process
   * (main.ts); off for the many instances one test process starts, which would share one process.
   */
  processMetrics?: boolean;
  /** Use an already open database instead of opening one from the config (tests). */
  database?: DatabaseHandle;
  /** Extra routes for tests, mounted after the product's own. */
  routers?: (pod: Omit<Ledgerpod, 'url' | 'stop'>) => Router[];
  /**
   * Runs on the migrated database before any worker starts: the demo removes the tenant its last
   * run made (bound to simulators that are gone), so that run's leftover jobs find no tenant.
   */
  beforeWorkers?: (db: DatabaseHandle['db']) => Promise<void>;
}

/** config -> db -> migrations -> queue -> http, by role. Tests call it with PORT 0. */
export async function startLedgerpod(config: Config, options: StartOptions = {}): Promise<Ledgerpod> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics({ defaults: options.processMetrics ?? false });
  const database =
    options.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  await migrateToLatest(database.db);
  database.setTimeouts(config.dbTimeouts);
  await options.beforeWorkers?.(database.db);

  const jobs = await startJobQueue({
    url: database.url,
    logger,
    metrics,
    runsWorkers: config.role !== 'web',
  });
  const frameOrigins = new FrameOrigins(database.db, config.cwAllowedOrigins);
  await frameOrigins.start();

  // With no PUBLIC_URL (demo, tests), links and OAuth redirects point at where we listen.
  if (!config.publicUrl && config.port !== 0) config.publicUrl = `http://localhost:${config.port}`;
  const services = createServices(config, database.db, logger);
  await createQueues(jobs);
  if (config.role !== 'web') {
    const workerDeps = {
      db: database.db,
      jobs,
      logger,
      records: services.records,
      tenants: services.tenants,
      connectWise: services.connectWise,
      connections: services.connections,
      ledgers: services.ledgers,
    };
    // Before the workers take jobs: background work gives way near a budget's cap.
    guardBackgroundJobs({ db: database.db, jobs, tiers: config.budgets });
    await startRecordWorkers(workerDeps, { concurrency: config.workerConcurrency });
    await startPaymentWorkers(workerDeps, config.paymentsCheckMinutes, {
      concurrency: config.workerConcurrency,
    });
    await startSweepWorkers(workerDeps);
    await startDriftWorkers(workerDeps, config.driftCheckMinutes);
    await startCorrectionWorkers(workerDeps);
    await startCallbackInboxWorker(workerDeps);
    await startCallbackWatchWorkers(
      { ...workerDeps, publicUrl: () => config.publicUrl },
      config.cwCallbackWatchMinutes,
    );
  }
  const parts = { config, database, jobs, logger, metrics, frameOrigins, services };
  let server: Server;
  // Workers serve only /healthz, /readyz and /metrics: enough for health checks and scraping.
  const app = createApp({
    config,
    db: database.db,
    jobs,
    logger,
    metrics,
    frameAncestors: (url) => frameOrigins.forUrl(url),
    routers:
      config.role === 'worker'
        ? []
        : [
            ...apiRouters(services, { db: database.db, jobs, frameOrigins, logger }),
            ...(options.routers?.(parts) ?? []),
          ],
  });
  server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  if (!config.publicUrl && config.role !== 'worker') config.publicUrl = `http://localhost:${port}`;

  return {
    ...parts,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      // Stop taking requests and jobs first, let running jobs finish, then close the pool.
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await jobs.stop();
      await closing;
      // The last second of call counts, before the pool closes.
      await services.meter.stop();
      frameOrigins.stop();
      if (!options.database) await database.close();
    },
  };
}
