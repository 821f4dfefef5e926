import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberRecheck, memberRecheckMs } from '../../server/auth/member-recheck.js';
import type { Role } from '../../server/auth/roles.js';
import {
  addSimTenant,
  api,
  type CwSim,
  members,
  post,
  sessionToken,
  startSeededConnectWise,
} from '../support/cw-tenant.js';
import { startTestPod, type TestPod } from '../support/test-pod.js';

/** Issue 18, finding 9: a member demoted or deactivated in ConnectWise loses rights within a minute. */
describe('member standing re-checked with ConnectWise', () => {
  const session = { tenantId: 't1', memberId: 'jdoe', memberName: 'Jane', role: 'admin' as Role };

  it('asks ConnectWise again once the answer is older than a minute, and lowers the role', async () => {
    let clock = 0;
    let current: Role | undefined = 'admin';
    let asked = 0;
    const recheck = new MemberRecheck(
      async () => {
        asked += 1;
        return current;
      },
      { now: () => clock },
    );
    recheck.remember(session);
    expect(await recheck.roleOf(session)).toBe('admin');
    expect(asked).toBe(0);
    current = 'viewer';
    clock = memberRecheckMs - 1;
    expect(await recheck.roleOf(session)).toBe('admin');
    clock = memberRecheckMs + 1;
    expect(await recheck.roleOf(session)).toBe('viewer');
    expect(asked).toBe(1);
    // Never raises a session: a promotion comes with the next sign-in's token.
    expect(await recheck.roleOf({ ...session, role: 'viewer' })).toBe('viewer');
    current = 'admin';
    clock += memberRecheckMs + 1;
    expect(await recheck.roleOf({ ...session, role: 'accountant' })).toBe('accountant');
    current = undefined;
    clock += memberRecheckMs + 1;
    expect(await recheck.roleOf(session)).toBeUndefined();
    expect(memberRecheckMs).toBeLessThanOrEqual(60_000);
  });

  it('concurrent requests of one member share one ConnectWise read; an outage keeps the last answer', async () => {
    let clock = 0;
    let asked = 0;
    let failing = false;
    const recheck = new MemberRecheck(
      async () => {
        asked += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (failing) throw new Error('ConnectWise is down');
        return 'accountant' as const;
      },
      { now: () => clock },
    );
    const roles = await Promise.all(Array.from({ length: 10 }, () => recheck.roleOf(session)));
    expect(roles).toEqual(Array(10).fill('accountant'));
    expect(asked).toBe(1);
    failing = true;
    clock = memberRecheckMs + 1;
    expect(await recheck.roleOf(session)).toBe('accountant');
    // Never asked before and ConnectWise down: the token's role, checked at sign-in, stands.
    expect(await recheck.roleOf({ ...session, memberId: 'other' })).toBe('admin');
  });

  describe('against the ConnectWise simulator', () => {
    let sim: CwSim;
    let pod: TestPod;
    beforeAll(async () => {
      sim = await startSeededConnectWise();
      pod = await startTestPod();
      await addSimTenant(pod, sim);
    });
    afterAll(async () => {
      await pod?.close();
      await sim?.close();
    });

    const seedMember = (changes: object) =>
      post(sim.url, '/__sim/seed', { members: [{ ...members.admin, ...changes }] });
    /** Polls an admin-only route until it is refused; answers how long that took. */
    const untilRefused = async (token: string, code: string) => {
      const started = Date.now();
      for (;;) {
        const res = await api(pod.url, token, 'GET', '/api/v1/connections');
        if (res.status !== 200) {
          expect(res.status).toBe(403);
          expect(res.body.error.code).toBe(code);
          return Date.now() - started;
        }
        expect(Date.now() - started).toBeLessThan(65_000);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    };

    it('a demoted admin loses admin rights within a minute, keeping what the new role gives; a deactivated one loses all', async () => {
      const token = await sessionToken(pod.url, sim, 'admin');
      expect((await api(pod.url, token, 'GET', '/api/v1/connections')).status).toBe(200);
      await seedMember({ securityRole: { id: 65, name: 'Technician' } });
      const tookMs = await untilRefused(token, 'forbidden_role');
      expect(tookMs).toBeLessThanOrEqual(61_000);
      const me = await api(pod.url, token, 'GET', '/api/v1/me');
      expect(me.status).toBe(200);

      const second = await sessionToken(pod.url, sim, 'admin');
      expect((await api(pod.url, second, 'GET', '/api/v1/me')).body.role).toBe('viewer');
      await seedMember({ securityRole: { id: 63, name: 'Admin' } });
      const third = await sessionToken(pod.url, sim, 'admin');
      expect((await api(pod.url, third, 'GET', '/api/v1/connections')).status).toBe(200);
      await seedMember({ inactiveFlag: true });
      expect(await untilRefused(third, 'access_revoked')).toBeLessThanOrEqual(61_000);
      const status = await api(pod.url, third, 'GET', '/api/v1/records/invoice/1');
      expect(status.status).toBe(403);
      expect(status.body.error.code).toBe('access_revoked');
      await seedMember({ inactiveFlag: false });
    });
  });
});
