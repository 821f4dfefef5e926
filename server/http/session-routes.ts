import { Router } from 'express';
import { type MemberDirectoryFor, memberAuthenticationSchema, signInMember } from '../auth/member-sign-in.js';
import type { SessionTokens } from '../auth/session-token.js';
import { SignInSources } from '../auth/sign-in-sources.js';
import type { UnauthenticatedBudget } from '../auth/unauthenticated-budget.js';
import type { Db } from '../db/database.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { AppError } from '../shared/errors.js';
import type { TenantStore } from '../tenants/tenant-store.js';
import { type RecordStatusDeps, readRecordStatus, recordKey } from './record-status.js';
import { parseInput } from './validate.js';

/**
 * ConnectWise's member data, and optionally the record on the pod's screen: the pod's first paint
 * then needs this one request instead of a sign-in followed by a status read.
 */
const sessionBody = memberAuthenticationSchema.extend({ record: recordKey.optional() });

/** POST /api/v1/session: ConnectWise member data in, a short-lived session token out. */
export function sessionRoutes(deps: {
  db: Db;
  jobs: JobQueue;
  tenants: TenantStore;
  tokens: SessionTokens;
  directoryFor: MemberDirectoryFor;
  /** Caps what unconfirmed sign-ins cost the tenant's ConnectWise budget (per source, per tenant). */
  unproven: UnauthenticatedBudget;
  limiter: RecordStatusDeps['limiter'];
}): Router {
  const router = Router();
  const sources = new SignInSources(deps.db);
  router.post('/api/v1/session', async (req, res) => {
    const { record, ...auth } = parseInput(sessionBody, req.body);
    const { tenant, member, role } = await signInMember(auth, deps.tenants, deps.directoryFor, {
      budget: deps.unproven,
      source: req.ip ?? '',
      sources,
    });
    const session = { tenantId: tenant.id, memberId: member.identifier, memberName: member.name, role };
    const { token, expiresAt } = await deps.tokens.issue(session);
    req.log.info({ tenantId: tenant.id, member: member.identifier, role }, 'member signed in');
    res.json({
      token,
      expiresAt: expiresAt.toISOString(),
      member: { id: member.identifier, name: member.name, email: member.email },
      role,
      tenant: { id: tenant.id, name: tenant.name },
      // What GET /api/v1/records/:type/:cwId would answer with this token; null for its 404 (the
      // record is unknown and now being looked for).
      ...(record && { status: await statusOrNull(deps, session, record) }),
    });
  });
  return router;
}

async function statusOrNull(...args: Parameters<typeof readRecordStatus>) {
  try {
    return await readRecordStatus(...args);
  } catch (error) {
    if (error instanceof AppError && error.status === 404) return null;
    throw error;
  }
}
