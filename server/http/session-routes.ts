import { Router } from 'express';
import { type MemberDirectoryFor, memberAuthenticationSchema, signInMember } from '../auth/member-sign-in.js';
import type { SessionTokens } from '../auth/session-token.js';
import type { TenantStore } from '../tenants/tenant-store.js';
import { parseInput } from './validate.js';

/** POST /api/v1/session: ConnectWise member data in, a short-lived session token out. */
export function sessionRoutes(deps: {
  tenants: TenantStore;
  tokens: SessionTokens;
  directoryFor: MemberDirectoryFor;
}): Router {
  const router = Router();
  router.post('/api/v1/session', async (req, res) => {
    const auth = parseInput(memberAuthenticationSchema, req.body);
    const { tenant, member, role } = await signInMember(auth, deps.tenants, deps.directoryFor);
    const { token, expiresAt } = await deps.tokens.issue({
      tenantId: tenant.id,
      memberId: member.identifier,
      memberName: member.name,
      role,
    });
    req.log.info({ tenantId: tenant.id, member: member.identifier, role }, 'member signed in');
    res.json({
      token,
      expiresAt: expiresAt.toISOString(),
      member: { id: member.identifier, name: member.name, email: member.email },
      role,
      tenant: { id: tenant.id, name: tenant.name },
    });
  });
  return router;
}
