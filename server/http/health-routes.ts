import { Router } from 'express';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { Metrics } from '../shared/metrics.js';

export function healthRoutes(deps: { db: Db; jobs: JobQueue | undefined; metrics: Metrics }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks = await Promise.all([
      sql`select 1`.execute(deps.db).then(
        () => true,
        () => false,
      ),
      deps.jobs ? deps.jobs.isReady().catch(() => false) : Promise.resolve(true),
    ]);
    const [database, queue] = checks;
    const ready = database && queue;
    if (ready) {
      res.json({ status: 'ready', database, queue });
      return;
    }
    res.status(503).json({
      error: {
        code: 'not_ready',
        message: `Not ready: ${database ? '' : 'database '}${queue ? '' : 'job queue '}not answering`.trim(),
        hint: 'Check that PostgreSQL is reachable from this process.',
      },
      database,
      queue,
    });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
