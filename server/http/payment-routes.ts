import { Router } from 'express';
import { z } from 'zod';
import { requireRole, requireSession, sessionOf } from '../auth/require-session.js';
import type { SessionTokens } from '../auth/session-token.js';
import type { Db } from '../db/database.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { sweepAll } from '../payments/payment-jobs.js';
import { parseInput } from './validate.js';

/** POST /api/v1/payments/sync {since?}: payments back from the ledger now, optionally from a date. */
export function paymentRoutes(deps: { db: Db; jobs: JobQueue; tokens: SessionTokens }): Router {
  const router = Router();
  router.post(
    '/api/v1/payments/sync',
    requireSession(deps.tokens),
    requireRole('accountant'),
    async (req, res) => {
      const body = parseInput(z.object({ since: z.iso.date().optional() }), req.body ?? {});
      const connections = await sweepAll(deps, sessionOf(req).tenantId, body.since);
      res.status(202).json({ queued: connections > 0, connections });
    },
  );
  return router;
}
