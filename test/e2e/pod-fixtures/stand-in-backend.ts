import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Role } from '../../../pod-ui/src/api/types.js';
import { listen } from '../../../sim/kit/listen.js';
import type { PodBundles } from '../helpers/build-pod-bundles.js';
import type { VerifyMember } from '../helpers/test-backend.js';
import { adminRoutes } from './stand-in-admin.js';
import { recordRoutes } from './stand-in-records.js';
import { createStore } from './stand-in-store.js';

const rank: Record<Role, number> = { viewer: 0, accountant: 1, admin: 2 };

export type Need = (role: Role) => (req: Request, res: Response, next: NextFunction) => void;

/**
 * The backend contract the pod is built to, in memory: sign-in as the e2e helpers do, the records,
 * companies, admin and onboarding routes, and the built pod at `/pod/`. Jobs advance on timers.
 */
export async function startStandInBackend(bundles: PodBundles, verifyMember: VerifyMember) {
  const store = createStore();
  const tokens = new Map<string, Role>();
  const requests: string[] = [];
  const app = express();
  app.use(express.json());
  app.use('/pod', express.static(bundles.podUiDir));

  // The ledger's OAuth callback page: tells the opener (the framed pod) and closes.
  app.get('/oauth/callback', (req, res) => {
    const kind = String(req.query.kind) === 'xero' ? 'xero' : 'qbo';
    store.connect(kind);
    res.type('html').send(`<!doctype html><title>Connected</title><p>Connected.</p><script>
      window.opener && window.opener.postMessage(${JSON.stringify(JSON.stringify({ ledgerpod: 'connected', kind }))}, location.origin);
      window.close();</script>`);
  });

  app.post('/api/v1/session', async (req, res) => {
    const member = await verifyMember(req.body ?? {});
    if (!member) {
      res.status(401).json({
        error: {
          code: 'member_not_verified',
          message: 'ConnectWise did not confirm who you are.',
          hint: 'Sign in to ConnectWise again, then reopen this screen.',
        },
      });
      return;
    }
    const token = randomBytes(16).toString('hex');
    tokens.set(token, member.role);
    res.json({
      token,
      expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
      member: { id: member.id, name: member.name, email: member.email },
      role: member.role,
      tenant: member.tenant,
    });
  });

  app.use('/api/v1', (req, res, next) => {
    requests.push(`${req.method} ${req.path}`);
    const token = /^Bearer (\w+)$/.exec(req.get('authorization') ?? '')?.[1];
    const role = token ? tokens.get(token) : undefined;
    if (!role) {
      res.status(401).json({ error: { code: 'unauthenticated', message: 'No valid session token.' } });
      return;
    }
    res.locals.role = role;
    next();
  });
  const need: Need = (role) => (_req, res, next) => {
    if (rank[res.locals.role as Role] >= rank[role]) return next();
    res.status(403).json({
      error: { code: 'forbidden', message: `This needs the ${role} role.`, hint: 'Ask a Ledgerpod admin.' },
    });
  };
  app.use('/api/v1', recordRoutes(store, need), adminRoutes(store, need));

  const running = await listen(app);
  return { ...running, store, requests };
}

export type StandInBackend = Awaited<ReturnType<typeof startStandInBackend>>;
