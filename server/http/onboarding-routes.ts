import { Router } from 'express';
import type { DryRun, OnboardingProgress } from '../../contract/admin.js';
import { requireRole, requireSession, sessionOf } from '../auth/require-session.js';
import type { SessionTokens } from '../auth/session-token.js';
import type { Db } from '../db/database.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { OnboardingJob } from '../jobs/queues.js';
import {
  createOnboardingRun,
  listOnboardingRuns,
  onboardingDryRun,
  onboardingInputSchema,
  onboardingStatus,
} from '../onboarding/onboarding.js';
import { requestOnboarding } from '../pipeline/requests.js';
import { AppError } from '../shared/errors.js';
import type { TenantConnectWise } from '../tenants/tenant-connectwise.js';
import type { TenantStore } from '../tenants/tenant-store.js';
import { parseInput } from './validate.js';

/** The onboarding sync (admin): a dry run answers at once; a real run is a job with live progress. */
export function onboardingRoutes(deps: {
  db: Db;
  jobs: JobQueue;
  tokens: SessionTokens;
  tenants: TenantStore;
  connectWise: TenantConnectWise;
}): Router {
  const router = Router();
  router.use('/api/v1/onboarding', requireSession(deps.tokens), requireRole('admin'));

  router.post('/api/v1/onboarding', async (req, res) => {
    const input = parseInput(onboardingInputSchema, req.body);
    const { tenantId } = sessionOf(req);
    const tenant = await deps.tenants.get(tenantId);
    if (!tenant) throw new AppError(404, 'not_found', 'Tenant not found');
    if (input.dryRun) {
      res.json((await onboardingDryRun(deps.connectWise.for(tenant), input)) satisfies DryRun);
      return;
    }
    if (input.paymentsFrom) await deps.tenants.updateSettings(tenantId, { paymentsFrom: input.paymentsFrom });
    const { memberName, memberId } = sessionOf(req);
    const run = await createOnboardingRun(deps.db, tenantId, input, memberName || memberId);
    const job: OnboardingJob = { tenantId, runId: run.id };
    await requestOnboarding(deps.jobs, job);
    res.status(202).json({ id: run.id, created: run.created });
  });

  // The run history: every run kept, each re-openable with its failures (GET /api/v1/onboarding/:id).
  router.get('/api/v1/onboarding', async (req, res) => {
    // Not checked against contract OnboardingRun: a run's inputs come back from the database as JSON.
    res.json({ runs: await listOnboardingRuns(deps.db, sessionOf(req).tenantId) });
  });

  router.get('/api/v1/onboarding/:id', async (req, res) => {
    const status = await onboardingStatus(deps.db, sessionOf(req).tenantId, String(req.params.id));
    if (!status)
      throw new AppError(404, 'not_found', 'No such onboarding run', {
        hint: 'Start one with POST /api/v1/onboarding.',
      });
    res.json(status satisfies OnboardingProgress);
  });
  return router;
}
