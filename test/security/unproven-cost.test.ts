import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unauthenticatedLimits } from '../../server/auth/unauthenticated-budget.js';
import { unknownLookups } from '../../server/http/record-status.js';
import { queues } from '../../server/jobs/queues.js';
import { signCallback } from '../../sim/connectwise/index.js';
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

/**
 * Issue 18, finding 1: what a request nobody has proven can cost a tenant's ConnectWise. Counted
 * at the simulator, so the bounds are exact whatever the machine's load: forged sign-ins and
 * callbacks spend at most the unproven budget (per source, then per tenant), never the member
 * look-up; reads of unknown records queue at most a few look-ups. The timing of a real sign-in and
 * of pushes under such a flood is measured in bench/forged-sign-in.ts.
 */
describe('unproven requests cost ConnectWise at most a small bound', () => {
  let cw: CwSim;
  let pod: TestPod;
  let tenantId: string;
  beforeAll(async () => {
    cw = await startSeededConnectWise();
    pod = await startTestPod();
    tenantId = (await addSimTenant(pod, cw)).id;
  });
  afterAll(async () => {
    await pod?.close();
    await cw?.close();
  });

  const calls = (pattern: RegExp) =>
    [...cw.sim.traffic.byRoute.entries()]
      .filter(([route]) => pattern.test(route))
      .reduce((n, [, c]) => n + c, 0);
  const cookieChecks = () => calls(/myMembers\/info$/i);
  const memberLookUps = () => calls(/^GET \/.*\/system\/members$/i);
  const keyFetches = () => calls(/callbackkeys/i);
  /** One source's burst, plus what its rate refilled since `started`. */
  const sourceAllowance = (started: number) =>
    unauthenticatedLimits.source.burst +
    Math.floor(((Date.now() - started) / 60_000) * unauthenticatedLimits.source.perMinute);
  /** Budgets are shared through Postgres (call_rates): each case starts with them full. */
  const refill = () =>
    sql`delete from call_rates where key like 'unauth:%' or key like 'lookup:%'`.execute(pod.database.db);

  const signIn = async (body: unknown, source?: string) => {
    const res = await fetch(`${pod.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(source ? { 'x-forwarded-for': source } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
  };
  const forged = async () => ({
    ...(await memberAuthentication(cw, members.admin.identifier)),
    memberHash: randomBytes(24).toString('base64url'),
  });

  it('40 forged sign-ins at once from one source: the cookie check at most 5 times, never the look-up; a real sign-in still gets in', async () => {
    await refill();
    cw.sim.traffic.reset();
    const bodies = await Promise.all(Array.from({ length: 40 }, () => forged()));
    const started = Date.now();
    const attempts = await Promise.all(bodies.map((body) => signIn(body, '203.0.113.7')));
    // The burst, and what the per-source rate refilled while the flood lasted (a busy CI machine
    // took over 6 s once, which is one more).
    expect(cookieChecks()).toBeLessThanOrEqual(sourceAllowance(started));
    expect(memberLookUps()).toBe(0);
    const refused = attempts.filter((a) => a.status === 429);
    expect(attempts.filter((a) => a.status === 401).length).toBe(cookieChecks());
    expect(refused.length).toBe(40 - cookieChecks());
    expect(refused[0]?.body.error).toMatchObject({
      code: 'too_many_attempts',
      hint: expect.stringMatching(/Wait \d+ s/),
    });
    expect(Number(refused[0]?.retryAfter)).toBeGreaterThanOrEqual(1);

    // A member signing in from anywhere else costs the two calls it always did.
    const before = cw.sim.traffic.total;
    const real = await signIn(await memberAuthentication(cw, members.admin.identifier), '198.51.100.9');
    expect(real.status).toBe(200);
    expect(real.body.role).toBe('admin');
    expect(cw.sim.traffic.total - before).toBe(2);
  });

  it('the look-up waits for the cookie check: a forged hash never reaches the member look-up', async () => {
    await refill();
    cw.sim.traffic.reset();
    expect((await signIn(await forged(), '192.0.2.1')).status).toBe(401);
    expect(cookieChecks()).toBe(1);
    expect(memberLookUps()).toBe(0);
  });

  it('real sign-ins give their call back: 30 in a row from one source all get in', async () => {
    await refill();
    for (let i = 0; i < 30; i++) {
      const res = await signIn(await memberAuthentication(cw, members.viewer.identifier), '203.0.113.50');
      expect(res.status, `sign-in ${i}`).toBe(200);
    }
  });

  it('40 forged sign-ins spread over 40 sources cost at most the tenant-wide burst', async () => {
    await refill();
    cw.sim.traffic.reset();
    const bodies = await Promise.all(Array.from({ length: 40 }, () => forged()));
    const started = Date.now();
    await Promise.all(bodies.map((body, i) => signIn(body, `198.18.0.${i + 1}`)));
    // The burst, and what the tenant-wide rate refilled while the flood lasted. That a member can
    // still sign in after such a flood is sign-in-flood.test.ts.
    const refilled = Math.ceil(((Date.now() - started) / 60_000) * unauthenticatedLimits.tenant.perMinute);
    expect(cookieChecks()).toBeLessThanOrEqual(unauthenticatedLimits.tenant.burst + refilled);
    expect(memberLookUps()).toBe(0);
  });

  describe('callbacks', () => {
    const keyUrl = (keyId: string) => `${cw.url}/v4_6_release/apis/3.0/system/callbackkeys/${keyId}`;
    let n = 0;
    const callbackBody = (url: string) =>
      JSON.stringify({
        MessageId: `m-${++n}`,
        Action: 'updated',
        Type: 'invoice',
        ID: 9101,
        Entity: '{}',
        Metadata: { key_url: url },
      });
    const deliver = async (body: string, signature: string | undefined, source: string) => {
      const res = await fetch(`${pod.url}/webhooks/connectwise/${tenantId}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': source,
          ...(signature === undefined ? {} : { 'x-content-signature': signature }),
        },
        body,
      });
      return { status: res.status, body: await res.json() };
    };

    it('100 unsigned callbacks with fresh key_urls on the tenant’s host fetch no key', async () => {
      await refill();
      cw.sim.traffic.reset();
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          deliver(callbackBody(keyUrl(`fresh-${i}`)), i % 2 ? undefined : 'x', '203.0.113.8'),
        ),
      );
      expect(
        answers.every((a) => a.status === 401 && a.body.error.code === 'callback_signature_invalid'),
      ).toBe(true);
      expect(keyFetches()).toBe(0);
    });

    it('100 forged signatures with fresh key_urls from one source fetch at most 5 keys', async () => {
      await refill();
      cw.sim.traffic.reset();
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) => {
          const body = callbackBody(keyUrl(`forged-${i}`));
          return deliver(body, signCallback(body, 'made-up'), '203.0.113.9');
        }),
      );
      expect(keyFetches()).toBeLessThanOrEqual(sourceAllowance(started));
      // Each forged callback is refused: 401 once its key was fetched (no forged one gets further),
      // 429 when the source's allowance was spent. A fetch retried by the client counts twice at the
      // simulator, so the fetches bound the 401s rather than equal them.
      expect(answers.every((a) => a.status === 401 || a.status === 429)).toBe(true);
      expect(answers.filter((a) => a.status === 401).length).toBeLessThanOrEqual(keyFetches());
      expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(
        100 - sourceAllowance(started),
      );
    });

    it('a key is fetched once, however many callbacks name it at once; a genuine callback is accepted', async () => {
      await refill();
      cw.sim.traffic.reset();
      cw.sim.state.signingKeys.set('shared-key', 'shared-material');
      const url = keyUrl('shared-key');
      const forgedAnswers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => {
          const body = callbackBody(url);
          return deliver(body, signCallback(body, 'wrong'), `198.18.1.${i + 1}`);
        }),
      );
      expect(forgedAnswers.every((a) => a.status === 401)).toBe(true);
      const body = callbackBody(url);
      const genuine = await deliver(body, signCallback(body, 'shared-material'), '198.51.100.20');
      expect(genuine).toMatchObject({ status: 200, body: { status: 'accepted' } });
      expect(keyFetches()).toBe(1);
    });
  });

  it('a viewer reading 200 unknown ids queues at most a small bound of look-ups', async () => {
    await refill();
    const token = await sessionToken(pod.url, cw, 'viewer');
    const queued = async () =>
      Number(
        (
          await sql<{
            n: string;
          }>`select count(*)::text as n from pgboss.job where name = ${queues.refreshRecord}`.execute(
            pod.database.db,
          )
        ).rows[0]!.n,
      );
    const before = await queued();
    const started = Date.now();
    for (let i = 0; i < 200; i++) {
      const res = await api(pod.url, token, 'GET', `/api/v1/records/invoice/${700_000 + i}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('record_not_found');
    }
    const minutes = (Date.now() - started) / 60_000;
    const bound = unknownLookups.member.burst + Math.ceil(minutes * unknownLookups.member.perMinute) + 1;
    expect(await queued()).toBeLessThanOrEqual(before + bound);
  });
});
