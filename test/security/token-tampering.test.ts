import { randomBytes } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../server/auth/session-token.js';
import type { Tenant } from '../../server/db/schema.js';
import { simConfig } from '../ledgers/support/ledger-worlds.js';
import {
  addSimTenant,
  api,
  type CwSim,
  memberAuthentication,
  members,
  sessionToken,
  startSeededConnectWise,
} from '../support/cw-tenant.js';
import { startTestPod, type TestPod } from '../support/test-pod.js';
import { routeTable } from './route-table.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString());

describe('session token tampering', () => {
  let sim: CwSim;
  let pod: TestPod;
  let tenant: Tenant;
  let viewerToken: string;
  beforeAll(async () => {
    sim = await startSeededConnectWise();
    // Providers configured (never reached: authorize only builds a URL) so every route runs its code.
    pod = await startTestPod({ config: simConfig('http://127.0.0.1:9', 'http://127.0.0.1:9') });
    tenant = await addSimTenant(pod, sim);
    viewerToken = await sessionToken(pod.url, sim, 'viewer');
  });
  afterAll(async () => {
    await pod?.close();
    await sim?.close();
  });

  const me = (token: string) => api(pod.url, token, 'GET', '/api/v1/me');
  const adminOnly = (token: string) => api(pod.url, token, 'GET', '/api/v1/connections');
  const claims = () => ({
    tid: tenant.id,
    name: 'Tom Tech',
    role: 'admin',
    sub: members.viewer.identifier,
    iss: 'ledgerpod',
    aud: 'ledgerpod-pod',
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 600,
  });
  const signed = (payload: Record<string, unknown>, key: Uint8Array = pod.config.sessionKey, alg = 'HS256') =>
    new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);

  it('the genuine token works and is a viewer', async () => {
    const res = await me(viewerToken);
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('viewer');
    expect((await adminOnly(viewerToken)).status).toBe(403);
  });

  const forgeries: [string, () => Promise<string>, string][] = [
    [
      'alg none (jose UnsecuredJWT)',
      async () => {
        const { iss, aud, sub, ...rest } = claims();
        return new UnsecuredJWT(rest).setIssuer(iss).setAudience(aud).setSubject(sub).encode();
      },
      // UnsecuredJWT ends in an empty signature part: the Bearer pattern accepts it; jose refuses it.
      'session_invalid',
    ],
    [
      'alg none with a signature part',
      async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.AAAA`,
      'session_invalid',
    ],
    [
      'alg "None" spelled otherwise',
      async () => `${b64({ alg: 'None' })}.${b64(claims())}.x`,
      'session_invalid',
    ],
    ['a wrong key', () => signed(claims(), randomBytes(32)), 'session_invalid'],
    ['HS512 with the right key', () => signed(claims(), pod.config.sessionKey, 'HS512'), 'session_invalid'],
    [
      'the SECRET_KEY instead of the SESSION_KEY',
      () => signed(claims(), pod.config.secretKeys[0]!),
      'session_invalid',
    ],
    [
      'expired',
      () =>
        signed({
          ...claims(),
          iat: Math.floor(Date.now() / 1000) - 3600,
          exp: Math.floor(Date.now() / 1000) - 60,
        }),
      'session_expired',
    ],
    [
      'issued long ago with a far expiry (lifetime beyond 15 minutes)',
      () =>
        signed({
          ...claims(),
          iat: Math.floor(Date.now() / 1000) - 7200,
          exp: Math.floor(Date.now() / 1000) + 3600,
        }),
      'session_expired',
    ],
    [
      'no iat but a far expiry',
      () => signed({ ...claims(), iat: undefined, exp: Math.floor(Date.now() / 1000) + 86_400 * 365 }),
      'session_invalid',
    ],
    ['a wrong audience', () => signed({ ...claims(), aud: 'ledgerpod-oauth-state' }), 'session_invalid'],
    ['a wrong issuer', () => signed({ ...claims(), iss: 'evil' }), 'session_invalid'],
    ['no tenant', () => signed({ ...claims(), tid: undefined }), 'session_invalid'],
    ['an unknown role', () => signed({ ...claims(), role: 'superadmin' }), 'session_invalid'],
    [
      'role escalated by editing the payload',
      async () => {
        const [header, payload, signature] = viewerToken.split('.') as [string, string, string];
        return `${header}.${b64({ ...decode(payload), role: 'admin' })}.${signature}`;
      },
      'session_invalid',
    ],
    [
      'tenant switched by editing the payload',
      async () => {
        const [header, payload, signature] = viewerToken.split('.') as [string, string, string];
        return `${header}.${b64({ ...decode(payload), tid: '00000000-0000-4000-8000-000000000001' })}.${signature}`;
      },
      'session_invalid',
    ],
    [
      'header alg swapped to none, signature kept',
      async () => {
        const [, payload, signature] = viewerToken.split('.') as [string, string, string];
        return `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.${signature}`;
      },
      'session_invalid',
    ],
  ];

  it.each(forgeries)(
    'refuses %s with 401 on a viewer route and on an admin route',
    async (_name, make, code) => {
      const token = await make();
      for (const res of [await me(token), await adminOnly(token)]) {
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe(code);
      }
    },
  );

  it('refuses tokens in the wrong place or shape: cookie, query, lowercase scheme, two tokens', async () => {
    const cookie = await fetch(`${pod.url}/api/v1/me`, { headers: { cookie: `token=${viewerToken}` } });
    expect(cookie.status).toBe(401);
    const query = await fetch(`${pod.url}/api/v1/me?token=${viewerToken}`);
    expect(query.status).toBe(401);
    const basic = await fetch(`${pod.url}/api/v1/me`, { headers: { authorization: `Basic ${viewerToken}` } });
    expect(basic.status).toBe(401);
    const two = await fetch(`${pod.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${viewerToken} Bearer ${viewerToken}` },
    });
    expect(two.status).toBe(401);
  });

  it('a token of one pod is worthless on a pod with another SESSION_KEY', async () => {
    const other = new SessionTokens(randomBytes(32));
    expect((await other.verify(viewerToken)).ok).toBe(false);
  });

  describe('a token for a tenant that was deleted', () => {
    let sim2: CwSim;
    let gone: Tenant;
    let adminToken: string;
    beforeAll(async () => {
      sim2 = await startSeededConnectWise();
      gone = await addSimTenant(pod, sim2, 'Gone MSP');
      adminToken = await sessionToken(pod.url, sim2, 'admin');
      await pod.database.db.deleteFrom('tenants').where('id', '=', gone.id).execute();
    });
    afterAll(() => sim2?.close());

    const ids = {
      tenantId: '00000000-0000-4000-8000-00000000aaaa',
      connectionId: '00000000-0000-4000-8000-00000000bbbb',
      recordCwId: 4242,
      onboardingRunId: '00000000-0000-4000-8000-00000000cccc',
      companyId: 250,
    };

    for (const route of routeTable.filter((r) => r.access !== 'public')) {
      const name = `${route.method} ${route.path}`;
      it(`${name}: never a 500, never a success that writes`, async () => {
        const { path, body } = route.example(ids);
        const res = await api(pod.url, adminToken, route.method, path, body);
        expect(res.status).toBeLessThan(500);
        // Gap (report): reads answer 200 with nothing, payments/sync and records/sync-all 202 (a job
        // that finds no tenant), where 401 session_invalid (as /api/v1/settings answers) would be
        // right. Nothing else may succeed.
        const queuesOnly = ['/api/v1/payments/sync', '/api/v1/records/sync-all'].includes(route.path);
        if (route.method !== 'GET' && !queuesOnly) expect([401, 403, 404, 409]).toContain(res.status);
        if (route.path === '/api/v1/payments/sync') expect(res.body.connections ?? 0).toBe(0);
        if (res.status >= 400) expect(res.body.error).toMatchObject({ code: expect.any(String) });
      });
    }

    it('sign-in for the deleted tenant is refused', async () => {
      const res = await fetch(`${pod.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(await memberAuthentication(sim2, members.admin.identifier)),
      });
      expect(res.status).toBe(401);
    });
  });
});
