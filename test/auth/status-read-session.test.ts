import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../server/auth/session-token.js';
import type { Tenant } from '../../server/db/schema.js';
import {
  addSimTenant,
  api,
  type CwSim,
  memberAuthentication,
  members,
  post,
  sessionToken,
  startSeededConnectWise,
} from '../support/cw-tenant.js';
import { startTestPod, type TestPod } from '../support/test-pod.js';

describe('verified-token cache', () => {
  const key = new Uint8Array(32).fill(7);
  const session = {
    tenantId: '00000000-0000-4000-8000-000000000001',
    memberId: 'jdoe',
    memberName: 'Jane',
    role: 'viewer' as const,
  };

  it('a cached token is refused once it expires, as jose would refuse it', async () => {
    const tokens = new SessionTokens(key);
    const { token, expiresAt } = await tokens.issue(session);
    expect(await tokens.verifySigned(token)).toEqual({ ok: true, session });
    expect(await tokens.verifySigned(token, expiresAt.getTime() - 1000)).toMatchObject({ ok: true });
    expect(await tokens.verifySigned(token, expiresAt.getTime())).toEqual({ ok: false, problem: 'expired' });
    // A fresh instance (no cache) agrees.
    expect(await new SessionTokens(key).verifySigned(token, expiresAt.getTime())).toEqual({
      ok: false,
      problem: 'expired',
    });
  });

  it('a changed byte of a cached token misses the cache and fails the signature', async () => {
    const tokens = new SessionTokens(key);
    const { token } = await tokens.issue(session);
    expect((await tokens.verifySigned(token)).ok).toBe(true);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const escalated = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'admin' }),
    ).toString('base64url');
    expect(await tokens.verifySigned(`${header}.${escalated}.${signature}`)).toEqual({
      ok: false,
      problem: 'invalid',
    });
    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    expect((await tokens.verifySigned(`${header}.${payload}.${flipped}`)).ok).toBe(false);
  });

  it('verify asks for the tenant on every call, cached signature or not', async () => {
    let live = true;
    const tokens = new SessionTokens(key, async () => live);
    const { token } = await tokens.issue(session);
    expect((await tokens.verify(token)).ok).toBe(true);
    live = false;
    expect(await tokens.verify(token)).toEqual({ ok: false, problem: 'invalid' });
  });
});

describe('status read and sign-in with the screen record', () => {
  let sim: CwSim;
  let pod: TestPod;
  let tenant: Tenant;
  const cwId = 5150;
  beforeAll(async () => {
    sim = await startSeededConnectWise();
    pod = await startTestPod();
    tenant = await addSimTenant(pod, sim);
    const row = await pod.services.records.ensure({ tenantId: tenant.id, type: 'invoice', cwId });
    await pod.services.records.transition(row, {
      to: 'synced',
      set: { number: 'INV-5150', total_minor: '12345', balance_minor: '12345', refreshed_at: new Date() },
      actor: 'test',
      kind: 'synced',
    });
  });
  afterAll(async () => {
    await pod?.close();
    await sim?.close();
  });

  const signIn = async (record?: unknown) =>
    fetch(`${pod.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...(await memberAuthentication(sim, members.viewer.identifier)), record }),
    });

  it('answers the record status with the token, exactly as the record route does', async () => {
    const res = await signIn({ type: 'invoice', cwId });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.role).toBe('viewer');
    expect(body.status).toMatchObject({ state: 'synced', record: { number: 'INV-5150', total: '123.45' } });
    const read = await api(pod.url, body.token, 'GET', `/api/v1/records/invoice/${cwId}`);
    expect(read.status).toBe(200);
    expect(body.status).toEqual(read.body);
  });

  it('answers status null for a record Ledgerpod does not know, and no status when none is asked', async () => {
    const unknown = await (await signIn({ type: 'invoice', cwId: 999_999 })).json();
    expect(unknown.token).toEqual(expect.any(String));
    expect(unknown.status).toBeNull();
    const plain = await (await signIn()).json();
    expect(plain.token).toEqual(expect.any(String));
    expect('status' in plain).toBe(false);
  });

  it('refuses a malformed record with 400 and signs nobody in', async () => {
    const res = await signIn({ type: 'bogus', cwId: -1 });
    expect(res.status).toBe(400);
    expect((await res.json()).token).toBeUndefined();
  });

  it('a token stops reading statuses the moment its tenant is removed, cached or not', async () => {
    const sim2 = await startSeededConnectWise();
    try {
      const gone = await addSimTenant(pod, sim2, 'Soon Gone MSP');
      await pod.services.records.ensure({ tenantId: gone.id, type: 'invoice', cwId });
      const token = await sessionToken(pod.url, sim2, 'viewer');
      const before = await api(pod.url, token, 'GET', `/api/v1/records/invoice/${cwId}`);
      expect(before.status).toBe(200);
      await pod.database.db.deleteFrom('tenants').where('id', '=', gone.id).execute();
      for (const path of [`/api/v1/records/invoice/${cwId}`, '/api/v1/records/invoice/1', '/api/v1/me']) {
        const after = await api(pod.url, token, 'GET', path);
        expect(after.status, path).toBe(401);
        expect(after.body.error.code, path).toBe('session_invalid');
      }
      // Sign-in with the screen's record is refused for the removed tenant too.
      const auth = await memberAuthentication(sim2, members.viewer.identifier);
      await expect(
        post(pod.url, '/api/v1/session', { ...auth, record: { type: 'invoice', cwId } }),
      ).rejects.toThrow(/401/);
    } finally {
      await sim2.close();
    }
  });
});
