import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../server/db/schema.js';
import { realmId, simConfig, startQboSim, startXeroSimHandle } from '../ledgers/support/ledger-worlds.js';
import { addSimTenant, api, type CwSim, sessionToken, startSeededConnectWise } from '../support/cw-tenant.js';
import { startTestPod, type TestPod } from '../support/test-pod.js';

/**
 * The admin tab's ConnectWise-side lists over HTTP, on the real product, database and simulators:
 * billing terms in the mappings screen and security roles for the role map.
 */
describe('admin lists from ConnectWise: billing terms and security roles', () => {
  let qbo: Awaited<ReturnType<typeof startQboSim>>;
  let xero: Awaited<ReturnType<typeof startXeroSimHandle>>;
  let cw: CwSim;
  let pod: TestPod;
  let tenant: Tenant;
  let connectionId: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    [qbo, xero, cw] = await Promise.all([
      startQboSim(),
      startXeroSimHandle(),
      startSeededConnectWise({
        billingTerms: [
          { id: 1, name: 'Net 30', termsXref: 'N30', defaultFlag: true, dueDays: 30 },
          // No accounting cross-reference: the GL export names it by its name.
          { id: 2, name: 'Due on receipt', dueDays: 0 },
        ],
      }),
    ]);
    pod = await startTestPod({ config: simConfig(qbo.url, xero.url) });
    tenant = await addSimTenant(pod, cw);
    const connection = await pod.services.connections.save({
      tenantId: tenant.id,
      kind: 'qbo',
      externalId: realmId,
      name: 'QuickBooks Online',
      tokens: await qbo.grant(),
    });
    connectionId = connection.id;
    tokens.admin = await sessionToken(pod.url, cw, 'admin');
    tokens.accountant = await sessionToken(pod.url, cw, 'accountant');
  });
  afterAll(async () => {
    await pod?.close();
    await Promise.all([qbo?.close(), xero?.close(), cw?.close()]);
  });

  it('the mappings screen lists CW billing terms, keyed as the GL export names them', async () => {
    const screen = await api(pod.url, tokens.admin!, 'GET', `/api/v1/mappings?connectionId=${connectionId}`);
    expect(screen.status).toBe(200);
    expect(screen.body.cw.terms).toEqual([
      { key: 'N30', name: 'Net 30' },
      { key: 'Due on receipt', name: 'Due on receipt' },
    ]);
    // QuickBooks' own Term entities fill the ledger side; a key outside them is refused.
    expect(screen.body.ledger.terms).toContainEqual({
      key: '50',
      name: 'Net 30',
      detail: 'due in 30 days',
      active: true,
    });
    const unknown = await api(pod.url, tokens.admin!, 'PUT', '/api/v1/mappings', {
      connectionId,
      kind: 'terms',
      cwKey: 'N30',
      ledgerKey: '3',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('unknown_ledger_key');

    const put = await api(pod.url, tokens.admin!, 'PUT', '/api/v1/mappings', {
      connectionId,
      kind: 'terms',
      cwKey: 'N30',
      ledgerKey: '50',
    });
    expect(put.status).toBe(200);
    const again = await api(pod.url, tokens.admin!, 'GET', `/api/v1/mappings?connectionId=${connectionId}`);
    expect(again.body.mappings).toEqual([
      { kind: 'terms', cwKey: 'N30', ledgerKey: '50', ledgerName: 'Net 30' },
    ]);
  });

  it('lists the active CW security roles with the role each gets by default; admins only', async () => {
    const res = await api(pod.url, tokens.admin!, 'GET', '/api/v1/settings/security-roles');
    expect(res.status).toBe(200);
    expect(res.body.roles).toEqual([
      { id: 63, name: 'Admin', defaultRole: 'admin' },
      // Only exact default names get a role unmapped (issue 18): others get nothing until mapped.
      { id: 67, name: 'Dispatch', defaultRole: 'none' },
      { id: 64, name: 'Finance', defaultRole: 'accountant' },
      { id: 66, name: 'Sales', defaultRole: 'none' },
      { id: 65, name: 'Technician', defaultRole: 'viewer' },
    ]);
    expect((await api(pod.url, tokens.accountant!, 'GET', '/api/v1/settings/security-roles')).status).toBe(
      403,
    );
  });

  it('a role mapped in settings changes what its members get at sign-in', async () => {
    const put = await api(pod.url, tokens.admin!, 'PUT', '/api/v1/settings', {
      roleMap: { Technician: 'accountant' },
    });
    expect(put.status).toBe(200);
    const viewerToken = await sessionToken(pod.url, cw, 'viewer');
    const me = await api(pod.url, viewerToken, 'GET', '/api/v1/me');
    expect(me.body).toMatchObject({ role: 'accountant' });
    await api(pod.url, tokens.admin!, 'PUT', '/api/v1/settings', { roleMap: {} });
  });

  it('says so with a hint when ConnectWise cannot answer', async () => {
    await fetch(`${cw.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'GET', path: '*/system/securityroles', kind: 'http500', times: 10 }),
    });
    try {
      const res = await api(pod.url, tokens.admin!, 'GET', '/api/v1/settings/security-roles');
      expect(res.status).toBe(502);
      expect(res.body.error).toMatchObject({ code: expect.stringMatching(/^cw_/), hint: expect.any(String) });
    } finally {
      await fetch(`${cw.url}/__sim/faults`, { method: 'DELETE' });
    }
  });
});
