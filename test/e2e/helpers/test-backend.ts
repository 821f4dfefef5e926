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

/**
 * Plays the product backend: serves the pod pages, answers `POST /api/v1/session` in the
 * contract's shape, and `GET /api/v1/whoami` for bearer tokens it issued.
 */
export async function startTestBackend(bundles: PodBundles, verifyMember: VerifyMember) {
  const sessionRequests: Record<string, unknown>[] = [];
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

  const running: RunningSim = await listen(app);
  return { ...running, sessionRequests, settings };
}

/** Another origin (another port) that frames pods or sits beside them and forges ConnectWise messages. */
export function startForeignSite(): Promise<RunningSim> {
  const app = express();
  app.use(express.static(fixturesDir));
  return listen(app);
}
