import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { listen, type RunningSim } from '../../../sim/kit/listen.js';
import type { PodBundles } from './build-pod-bundles.js';
import type { MemberDirectory } from './member-directory.js';

const fixturesDir = fileURLToPath(new URL('../fixtures', import.meta.url));

/**
 * Plays the product backend: serves the pod pages and answers `POST /api/v1/session` in the
 * contract's shape, verifying the member against the directory as the real one asks ConnectWise.
 */
export async function startTestBackend(bundles: PodBundles, directory: MemberDirectory) {
  const sessionRequests: unknown[] = [];
  const app = express();
  app.use(express.json());
  app.use('/pod', express.static(bundles.podUiDir));
  app.use('/test-pod', express.static(fixturesDir), express.static(bundles.hostedClientDir));

  app.post('/api/v1/session', (req, res) => {
    sessionRequests.push(req.body);
    const member = directory.verify(req.body ?? {});
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
    res.json({
      token,
      expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
      member: { id: member.identifier, name: member.name, email: `${member.identifier}@example.test` },
      role: member.role,
      tenant: { id: directory.companyid, name: 'Ledgerpod Demo MSP' },
    });
  });

  const running: RunningSim = await listen(app);
  return { ...running, sessionRequests };
}

/** Another origin (another port) that frames pods or sits beside them and forges ConnectWise messages. */
export function startForeignSite(): Promise<RunningSim> {
  const app = express();
  app.use(express.static(fixturesDir));
  return listen(app);
}
