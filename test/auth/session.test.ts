import { randomBytes } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../server/auth/session-token.js';
import { captureLogs } from '../support/capture-logs.js';
import {
  addSimTenant,
  type CwSim,
  memberAuthentication,
  members,
  startSeededConnectWise,
} from '../support/cw-tenant.js';
import { startTestPod, type TestPod } from '../support/test-pod.js';

describe('pod sign-in', () => {
  let sim: CwSim;
  let pod: TestPod;
  const logs = captureLogs();
  beforeAll(async () => {
    sim = await startSeededConnectWise();
    pod = await startTestPod({ logger: logs.logger });
    await addSimTenant(pod, sim);
  });
  afterAll(async () => {
    await pod.close();
    await sim.close();
  });

  const signIn = (body: unknown) =>
    request(pod.url)
      .post('/api/v1/session')
      .send(body as object);

  it.each([
    ['admin', members.admin.identifier, 'Jane Doe'],
    ['accountant', members.accountant.identifier, 'Amy Finch'],
    ['viewer', members.viewer.identifier, 'Tom Tech'],
  ])('gives a %s the right token', async (role, identifier, name) => {
    const auth = await memberAuthentication(sim, identifier);
    const res = await signIn(auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      token: expect.any(String),
      member: { id: identifier, name },
      role,
      tenant: { id: expect.any(String), name: 'Ledgerpod MSP' },
    });
    const lifetime = new Date(res.body.expiresAt).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(14 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(15 * 60_000);
    const me = await request(pod.url).get('/api/v1/me').set('authorization', `Bearer ${res.body.token}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ role, member: { id: identifier } });
  });

  it('refuses a forged memberHash', async () => {
    const auth = await memberAuthentication(sim, members.admin.identifier);
    const res = await signIn({ ...auth, memberHash: randomBytes(24).toString('base64url') });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'member_not_verified', hint: expect.any(String) });
  });

  it('refuses a real hash presented for another member', async () => {
    const auth = await memberAuthentication(sim, members.viewer.identifier);
    const res = await signIn({ ...auth, memberid: members.admin.identifier });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('member_not_verified');
  });

  it('refuses a wrong site and an unknown company', async () => {
    const auth = await memberAuthentication(sim, members.admin.identifier);
    const wrongSite = await signIn({ ...auth, site: 'evil.example.com' });
    expect(wrongSite.status).toBe(401);
    expect(wrongSite.body.error.code).toBe('site_mismatch');
    const unknown = await signIn({ ...auth, companyid: 'someoneelse' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('unknown_tenant');
  });

  it('refuses a security role the tenant shut out', async () => {
    const tenant = (await pod.services.tenants.byCompanyId('ledgerpod'))[0]!;
    await pod.services.tenants.updateSettings(tenant.id, { roleMap: { Technician: 'none' } });
    try {
      const res = await signIn(await memberAuthentication(sim, members.viewer.identifier));
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden_role');
    } finally {
      await pod.services.tenants.updateSettings(tenant.id, { roleMap: {} });
    }
  });

  it('validates the sign-in body', async () => {
    const res = await signIn({ companyid: 'ledgerpod' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
  });

  describe('tokens', () => {
    const me = (token: string) => request(pod.url).get('/api/v1/me').set('authorization', `Bearer ${token}`);
    const session = { tenantId: '', memberId: 'jdoe', memberName: 'Jane', role: 'viewer' as const };
    beforeAll(async () => {
      session.tenantId = (await pod.services.tenants.byCompanyId('ledgerpod'))[0]!.id;
    });

    it('refuses no token, an expired one, a tampered one, alg none, a wrong key and a wrong audience', async () => {
      expect((await request(pod.url).get('/api/v1/me')).body.error.code).toBe('session_required');

      const tokens = new SessionTokens(pod.config.sessionKey);
      const expired = await tokens.issue(session, new Date(Date.now() - 16 * 60_000));
      expect((await me(expired.token)).body.error.code).toBe('session_expired');

      const { token } = await tokens.issue(session);
      const [header, payload, signature] = token.split('.');
      const escalated = Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'admin' }),
      ).toString('base64url');
      expect((await me(`${header}.${escalated}.${signature}`)).status).toBe(401);

      const none = new UnsecuredJWT({ tid: session.tenantId, name: 'x', role: 'admin' })
        .setSubject('jdoe')
        .setIssuer('ledgerpod')
        .setAudience('ledgerpod-pod')
        .setExpirationTime('10m')
        .encode();
      expect((await me(none)).status).toBe(401);

      const wrongKey = await new SessionTokens(randomBytes(32)).issue(session);
      expect((await me(wrongKey.token)).body.error.code).toBe('session_invalid');

      const wrongAudience = await new SignJWT({ tid: session.tenantId, name: 'x', role: 'viewer' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('jdoe')
        .setIssuer('ledgerpod')
        .setAudience('someone-else')
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(pod.config.sessionKey);
      expect((await me(wrongAudience)).body.error.code).toBe('session_invalid');

      expect((await me(token)).status).toBe(200);
    });
  });

  it('never logs a memberHash or an API key', async () => {
    const auth = await memberAuthentication(sim, members.admin.identifier);
    await signIn(auth);
    await signIn({ ...auth, memberHash: 'forged-hash-value' });
    const text = logs.text();
    expect(text).toContain('member signed in');
    expect(text).not.toContain(auth.memberHash);
    expect(text).not.toContain('forged-hash-value');
    expect(text).not.toContain('priv-key');
    expect(text).not.toContain('pub-key');
  });
});
