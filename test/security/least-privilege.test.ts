import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleForSecurityRole } from '../../server/auth/roles.js';
import {
  addSimTenant,
  type CwSim,
  memberAuthentication,
  members,
  startSeededConnectWise,
} from '../support/cw-tenant.js';
import { startTestPod, type TestPod } from '../support/test-pod.js';

/** Members whose role names contain a default's name without being it (issue 18, finding 4). */
const lookalikes = [
  {
    id: 301,
    identifier: 'amgr',
    firstName: 'Ann',
    lastName: 'Manager',
    securityRole: { id: 71, name: 'Account Manager' },
  },
  {
    id: 302,
    identifier: 'nonadmin',
    firstName: 'Ned',
    lastName: 'Tech',
    securityRole: { id: 72, name: 'Non-Admin Technician' },
  },
  {
    id: 303,
    identifier: 'sysadm',
    firstName: 'Sam',
    lastName: 'Desk',
    securityRole: { id: 73, name: 'SysAdmin Helpdesk (no finance)' },
  },
  {
    id: 304,
    identifier: 'sales',
    firstName: 'Sue',
    lastName: 'Sales',
    securityRole: { id: 74, name: 'Sales' },
  },
];

describe('least-privilege roles: exact names only, unknown roles get nothing', () => {
  it.each([
    ['Account Manager', undefined],
    ['Non-Admin Technician', undefined],
    ['SysAdmin Helpdesk (no finance)', undefined],
    ['Finance Admin', undefined],
    ['Administrator', undefined],
    ['Sales', undefined],
    ['', undefined],
    ['Admin', 'admin'],
    ['admin', 'admin'],
    ['Finance', 'accountant'],
    ['Technician', 'viewer'],
  ] as const)('unmapped "%s" gets %s', (name, role) => {
    expect(roleForSecurityRole(name, { roleMap: {} })).toBe(role);
  });

  it('the tenant’s map, by exact name, wins over the defaults', () => {
    const roleMap = { 'Account Manager': 'accountant', Admin: 'none', technician: 'admin' } as const;
    expect(roleForSecurityRole('Account Manager', { roleMap })).toBe('accountant');
    expect(roleForSecurityRole('Account Managers', { roleMap })).toBeUndefined();
    expect(roleForSecurityRole('Admin', { roleMap })).toBeUndefined();
    expect(roleForSecurityRole('Technician', { roleMap })).toBe('admin');
  });

  describe('signing in', () => {
    let sim: CwSim;
    let pod: TestPod;
    let tenantId: string;
    beforeAll(async () => {
      sim = await startSeededConnectWise({ members: [...Object.values(members), ...lookalikes] });
      pod = await startTestPod();
      tenantId = (await addSimTenant(pod, sim)).id;
    });
    afterAll(async () => {
      await pod?.close();
      await sim?.close();
    });
    const signIn = async (identifier: string) =>
      request(pod.url)
        .post('/api/v1/session')
        .send(await memberAuthentication(sim, identifier));

    it.each(lookalikes.map((m) => [m.securityRole.name, m.identifier]))(
      '"%s" is refused with whom to ask',
      async (roleName, identifier) => {
        const res = await signIn(identifier);
        expect(res.status).toBe(403);
        expect(res.body.error).toMatchObject({
          code: 'forbidden_role',
          message: expect.stringContaining(`"${roleName}"`),
          hint: expect.stringContaining('"Admin"'),
          details: { securityRole: roleName, adminSecurityRoles: ['Admin'] },
        });
        expect(res.body.token).toBeUndefined();
      },
    );

    it('once an admin maps a role by its exact name, its members get that role', async () => {
      await pod.services.tenants.updateSettings(tenantId, {
        roleMap: { 'Account Manager': 'viewer', 'Non-Admin Technician': 'admin', Admin: 'none' },
      });
      try {
        expect((await signIn('amgr')).body.role).toBe('viewer');
        expect((await signIn('nonadmin')).body.role).toBe('admin');
        const shutOut = await signIn(members.admin.identifier);
        expect(shutOut.status).toBe(403);
        // The hint now names the role that does give admin.
        expect(shutOut.body.error.details.adminSecurityRoles).toEqual(['Non-Admin Technician']);
        expect((await signIn('sysadm')).status).toBe(403);
      } finally {
        await pod.services.tenants.updateSettings(tenantId, { roleMap: {} });
      }
    });
  });
});
