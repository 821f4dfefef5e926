import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cw-tenant.js';
import {
  mountedRoutes,
  startTwoTenantWorld,
  type TwoTenantWorld,
  worldSecrets,
} from '../support/two-tenants.js';
import { type ExampleIds, roleRank, routeTable } from './route-table.js';

/** Strings only tenant B's data contains: none may ever reach tenant A. */
const secretsOfB = ['B-SECRET', 'B Books', 'B Secret Customer', 'BSECRET-', 'b-secret-actor'];

/** A route answering a page or a file (the evidence CSV and printable page): its text, or its JSON error. */
async function pageAnswer(podUrl: string, token: string, path: string) {
  const res = await fetch(`${podUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('application/json');
  return { status: res.status, body: json ? JSON.parse(text) : text };
}

const envelope = { error: { code: expect.any(String), message: expect.any(String) } };

describe('tenant isolation and roles on every route', () => {
  let w: TwoTenantWorld;
  let idsOfB: ExampleIds;
  beforeAll(async () => {
    w = await startTwoTenantWorld();
    idsOfB = {
      tenantId: w.b.tenant.id,
      connectionId: w.ofB.connection.id,
      recordCwId: w.ofB.recordCwId,
      onboardingRunId: w.ofB.onboardingRunId,
      companyId: w.ofB.companyId,
    };
  });
  afterAll(() => w?.close());

  it('the route table lists exactly the routes the routers mount', () => {
    const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
    const mounted = new Set(mountedRoutes(w.pod).map(key));
    const listed = new Set(routeTable.map(key));
    expect(
      [...mounted].filter((k) => !listed.has(k)),
      'routes missing from route-table.ts',
    ).toEqual([]);
    expect(
      [...listed].filter((k) => !mounted.has(k)),
      'routes no longer mounted',
    ).toEqual([]);
  });

  describe("B's ids asked for by A", () => {
    const asA = (method: string, path: string, body?: unknown) =>
      api(w.pod.url, w.a.token.admin, method, path, body);

    it('records: 404 for B’s record; lists, events, summary and stats hold none of B’s rows', async () => {
      const one = await asA('GET', `/api/v1/records/invoice/${w.ofB.recordCwId}`);
      expect(one.status).toBe(404);
      expect(one.body.error.code).toBe('record_not_found');
      const list = await asA('GET', '/api/v1/records?limit=200');
      expect(list.status).toBe(200);
      expect(list.body.records.map((r: { number: string }) => r.number)).not.toContain(w.ofB.recordNumber);
      expect(list.body.counts.synced ?? 0).toBe(0);
      const search = await asA('GET', `/api/v1/records?q=${w.ofB.recordNumber}`);
      expect(search.body.records).toEqual([]);
      const events = await asA('GET', '/api/v1/events?limit=500');
      expect(events.status).toBe(200);
      expect(JSON.stringify(events.body)).not.toContain('B-SECRET');
      const eventsOfRecord = await asA('GET', `/api/v1/events?record=invoice:${w.ofB.recordCwId}`);
      expect(eventsOfRecord.body.events.filter((e: { actor: string }) => e.actor !== 'jdoe')).toEqual([]);
      const summary = await asA('GET', `/api/v1/companies/${w.ofB.companyId}/summary`);
      expect(summary.status).toBe(200);
      expect(summary.body.counts.synced ?? 0).toBe(0);
      expect(summary.body.arBalance.ledger).toBeNull();
      const daily = await asA('GET', '/api/v1/stats/daily?days=2');
      expect(daily.body.days.reduce((n: number, d: { synced: number }) => n + d.synced, 0)).toBe(0);
    });

    it('connections, mappings, onboarding runs: 404 and nothing of B changes', async () => {
      const conn = w.ofB.connection.id;
      expect((await asA('GET', '/api/v1/connections')).body.connections).toEqual([]);
      const routing = await asA('PUT', `/api/v1/connections/${conn}/routing`, {
        cwLocationIds: [5],
        isDefault: false,
      });
      expect(routing.status).toBe(404);
      expect(routing.body.error.code).toBe('connection_not_found');
      const removed = await asA('DELETE', `/api/v1/connections/${conn}`);
      expect(removed.status).toBe(404);
      const mappings = await asA('GET', `/api/v1/mappings?connectionId=${conn}`);
      expect(mappings.status).toBe(404);
      const put = await asA('PUT', '/api/v1/mappings', {
        connectionId: conn,
        kind: 'gl_account',
        cwKey: '4000',
        ledgerKey: '2',
      });
      expect(put.status).toBe(404);
      const run = await asA('GET', `/api/v1/onboarding/${w.ofB.onboardingRunId}`);
      expect(run.status).toBe(404);

      const stillB = (await w.pod.services.connections.list(w.b.tenant.id))[0]!;
      expect(stillB).toMatchObject({ id: conn, status: 'active', is_default: w.ofB.connection.is_default });
      expect(stillB.cw_location_ids).toEqual(w.ofB.connection.cw_location_ids);
      const mapping = await w.pod.database.db
        .selectFrom('mappings')
        .select(['ledger_key', 'tenant_id'])
        .where('connection_id', '=', conn)
        .execute();
      expect(mapping).toEqual([{ ledger_key: '1', tenant_id: w.b.tenant.id }]);
    });

    it('settings and pushes of A touch only A; B still sees its own data', async () => {
      const before = await api(w.pod.url, w.b.token.admin, 'GET', '/api/v1/settings');
      await asA('PUT', '/api/v1/settings', { batchPrefix: 'A-ONLY-' });
      await asA('POST', `/api/v1/records/invoice/${w.ofB.recordCwId}/sync`);
      await asA('POST', `/api/v1/records/invoice/${w.ofB.recordCwId}/reverse`);
      const after = await api(w.pod.url, w.b.token.admin, 'GET', '/api/v1/settings');
      expect(after.body.settings).toEqual(before.body.settings);
      const record = await api(
        w.pod.url,
        w.b.token.viewer,
        'GET',
        `/api/v1/records/invoice/${w.ofB.recordCwId}`,
      );
      expect(record.status).toBe(200);
      expect(record.body).toMatchObject({ state: 'synced', record: { number: w.ofB.recordNumber } });
      const run = await api(w.pod.url, w.b.token.admin, 'GET', `/api/v1/onboarding/${w.ofB.onboardingRunId}`);
      expect(run.status).toBe(200);
    });

    it("a callback for B's endpoint with a key_url on A's ConnectWise is refused without a fetch", async () => {
      w.a.cw.sim.state.signingKeys.set('a-key', 'a-material');
      const body = JSON.stringify({
        MessageId: 'cross-1',
        Action: 'updated',
        Type: 'invoice',
        ID: 1,
        Entity: '{}',
        Metadata: { key_url: `${w.a.cw.url}/v4_6_release/apis/3.0/system/callbackkeys/a-key` },
      });
      const res = await fetch(`${w.pod.url}/webhooks/connectwise/${w.b.tenant.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-content-signature': 'x' },
        body,
      });
      expect(res.status).toBe(401);
      expect((await res.json()).error!.code).toBe('callback_untrusted_key_url');
    });
  });

  it('every page and API answer may be framed only by the tenants’ ConnectWise origins', async () => {
    await w.pod.frameOrigins.refresh();
    const res = await fetch(`${w.pod.url}/pod/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    const ancestors = /frame-ancestors ([^;]+)/.exec(csp)?.[1]?.split(' ') ?? [];
    expect(ancestors.sort()).toEqual([new URL(w.a.cw.url).origin, new URL(w.b.cw.url).origin].sort());
  });

  // The installer registers pod URLs with the tenant named, so the CSP can name its ConnectWise alone.
  it('the pod page for tenant A may not be framed by tenant B’s ConnectWise', async () => {
    const res = await fetch(`${w.pod.url}/pod/?tenant=${w.a.tenant.id}`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).not.toContain(new URL(w.b.cw.url).origin);
    expect(csp).toContain(`frame-ancestors ${new URL(w.a.cw.url).origin}`);
  });

  const protectedRoutes = routeTable.filter((r) => r.access !== 'public' && r.access !== 'operator');

  it.each(
    routeTable.filter((r) => r.access === 'operator').map((r) => [`${r.method} ${r.path}`, r] as const),
  )('%s: no member session of any role opens the operator API', async (_name, route) => {
    const { path, body } = route.example(idsOfB);
    for (const token of [w.a.token.admin, w.b.token.admin, w.a.token.viewer, 'a.b.c']) {
      const res = await api(w.pod.url, token, route.method, path, body);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('operator_token_invalid');
      expect(JSON.stringify(res.body)).not.toContain(w.b.tenant.id);
    }
    const none = await fetch(`${w.pod.url}${path}`, { method: route.method });
    expect(none.status).toBe(401);
    const ok = await api(w.pod.url, worldSecrets.operatorToken, 'GET', '/api/v1/operator/tenants');
    expect(ok.status).toBe(200);
    expect(ok.body.tenants).toHaveLength(2);
  });

  it.each(protectedRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s without a token: 401 session_required',
    async (_name, route) => {
      const { path, body } = route.example(idsOfB);
      const res = await fetch(`${w.pod.url}${path}`, {
        method: route.method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'session_required' } });
    },
  );

  const underRole = protectedRoutes.flatMap((route) =>
    (['viewer', 'accountant'] as const)
      .filter((role) => roleRank[role] < roleRank[route.access])
      .map((role) => [`${route.method} ${route.path} as ${role}`, route, role] as const),
  );
  it.each(underRole)('%s: 403 forbidden_role', async (_name, route, role) => {
    const { path, body } = route.example(idsOfB);
    const res = await api(w.pod.url, w.a.token[role], route.method, path, body);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden_role');
  });

  it.each(protectedRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    "%s with tenant A's admin token and tenant B's ids: never B's data, never a 500",
    async (_name, route) => {
      const { path, body } = route.example(idsOfB);
      const res = route.nonJson
        ? await pageAnswer(w.pod.url, w.a.token.admin, path)
        : await api(w.pod.url, w.a.token.admin, route.method, path, body);
      expect(res.status).toBeLessThan(500);
      const text = JSON.stringify(res.body);
      for (const secret of secretsOfB) expect(text).not.toContain(secret);
      expect(text).not.toContain(w.b.tenant.id);
      if (res.status >= 400) expect(res.body).toMatchObject(envelope);
    },
  );
});
