import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { listen, type RunningSim } from '../../../sim/kit/listen.js';
import type { PodBundles } from './build-pod-bundles.js';

const fixturesDir = fileURLToPath(new URL('../fixtures', import.meta.url));

export interface VerifiedMember {
  id: string;
  name: string;
  email: string;
  role: 'viewer' | 'accountant' | 'admin';
  tenant: { id: string; name: string };
}

/** How the backend confirms ConnectWise's member data; the real one calls ConnectWise with cookie auth. */
export type VerifyMember = (data: Record<string, unknown>) => Promise<VerifiedMember | undefined>;

/** One call the pod made with a bearer token, and whom the backend had issued that token to. */
export interface ApiRequest {
  method: string;
  path: string;
  member: { id: string; name: string };
  role: VerifiedMember['role'];
}

/**
 * Plays the product backend: serves the pod pages, answers `POST /api/v1/session` in the
 * contract's shape, and `GET /api/v1/whoami` for bearer tokens it issued. Any other `/api/v1` call
 * made with a valid token is recorded in `apiRequests` (who signed in, as seen by the backend) and
 * answered 404 `not_found`: this backend keeps no records, so the invoice pod says it has none.
 */
export async function startTestBackend(bundles: PodBundles, verifyMember: VerifyMember) {
  const sessionRequests: Record<string, unknown>[] = [];
  const apiRequests: ApiRequest[] = [];
  const tokens = new Map<string, { member: VerifiedMember; expiresAt: number }>();
  const settings = { sessionTtlMs: 15 * 60_000 };
  const app = express();
  app.use(express.json());
  app.use('/pod', express.static(bundles.podUiDir));
  app.use('/test-pod', express.static(fixturesDir), express.static(bundles.hostedClientDir));

  app.post('/api/v1/session', async (req, res) => {
    sessionRequests.push(req.body);
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
    const expiresAt = Date.now() + settings.sessionTtlMs;
    tokens.set(token, { member, expiresAt });
    res.json({
      token,
      expiresAt: new Date(expiresAt).toISOString(),
      member: { id: member.id, name: member.name, email: member.email },
      role: member.role,
      tenant: member.tenant,
    });
  });

  app.get('/api/v1/whoami', (req, res) => {
    const token = /^Bearer (\w+)$/.exec(req.get('authorization') ?? '')?.[1];
    const session = token ? tokens.get(token) : undefined;
    if (!session || session.expiresAt <= Date.now()) {
      res.status(401).json({ error: { code: 'unauthenticated', message: 'No valid session token.' } });
      return;
    }
    res.json({ member: session.member.id, token, cookie: req.get('cookie') ?? null });
  });

  app.use('/api/v1', (req, res) => {
    const token = /^Bearer (\w+)$/.exec(req.get('authorization') ?? '')?.[1];
    const session = token ? tokens.get(token) : undefined;
    if (!session || session.expiresAt <= Date.now()) {
      res.status(401).json({ error: { code: 'unauthenticated', message: 'No valid session token.' } });
      return;
    }
    const { id, name, role } = session.member;
    apiRequests.push({ method: req.method, path: req.baseUrl + req.path, member: { id, name }, role });
    res.status(404).json({ error: { code: 'not_found', message: 'Not found.' } });
  });

  const running: RunningSim = await listen(app);
  return { ...running, sessionRequests, apiRequests, settings };
}

/** Another origin (another port) that frames pods or sits beside them and forges ConnectWise messages. */
export function startForeignSite(): Promise<RunningSim> {
  const app = express();
  app.use(express.static(fixturesDir));
  return listen(app);
}
