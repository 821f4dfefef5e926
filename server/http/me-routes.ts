import { Router } from 'express';
import { requireSession, sessionOf } from '../auth/require-session.js';
import type { SessionTokens } from '../auth/session-token.js';

/** GET /api/v1/me: who the token says you are; the pod uses it to check its session. */
export function meRoutes(tokens: SessionTokens): Router {
  const router = Router();
  router.get('/api/v1/me', requireSession(tokens), (req, res) => {
    const session = sessionOf(req);
    res.json({
      member: { id: session.memberId, name: session.memberName },
      role: session.role,
      tenantId: session.tenantId,
    });
  });
  return router;
}
