import { decodeJwt, SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../server/db/schema.js';
import { providerOf } from '../../server/ledgers/providers.js';
import { simConfig, startQboSim, startXeroSimHandle } from '../ledgers/support/ledger-worlds.js';
import {
  addSimTenant,
  type CwSim,
  memberAuthentication,
  members,
  startSeededConnectWise,
} from '../support/cw-tenant.js';
import { ConsentBrowser } from '../support/oauth-consent.js';
import { startTestPod, type TestPod } from '../support/test-pod.js';

type QboSim = Awaited<ReturnType<typeof startQboSim>>;
type XeroSim = Awaited<ReturnType<typeof startXeroSimHandle>>;

const cwSeed = {
  glAccounts: [
    {
      id: 1,
      glType: 'R',
      segment1: '4000',
      mappedType: { id: 1, name: 'Work Role' },
      mappedRecord: { id: 1, name: 'Services revenue' },
    },
    {
      id: 2,
      glType: 'R',
      segment1: '4100',
      mappedType: { id: 1, name: 'Work Role' },
      mappedRecord: { id: 2, name: 'Product revenue' },
    },
  ],
  taxCodes: [{ id: 1, identifier: 'TAX', description: 'Sales tax 8.25%' }],
};

describe('connect QuickBooks Online and Xero over HTTP, with mappings and settings', () => {
  let qbo: QboSim;
  let xero: XeroSim;
  let cwA: CwSim;
  let cwB: CwSim;
  let pod: TestPod;
  let tenantA: Tenant;
  const tokens: Record<string, string> = {};

  const signIn = async (cw: CwSim, identifier: string) => {
    const res = await request(pod.url)
      .post('/api/v1/session')
      .send(await memberAuthentication(cw, identifier));
    expect(res.status).toBe(200);
    return res.body.token as string;
  };
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
  const api = (who: string) => ({
    get: (path: string) => request(pod.url).get(path).set(as(who)),
    post: (path: string, body?: object) => request(pod.url).post(path).set(as(who)).send(body),
    put: (path: string, body: object) => request(pod.url).put(path).set(as(who)).send(body),
    delete: (path: string) => request(pod.url).delete(path).set(as(who)),
  });

  /** The admin's browser: the authorize URL, the provider's auto-approving consent, our callback. */
  async function connect(who: string, kind: 'qbo' | 'xero') {
    const { providerUrl } = await browser.begin(tokens[who]!, kind);
    const consent = await fetch(providerUrl, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const callback = consent.headers.get('location')!;
    expect(callback.startsWith(`${pod.url}/oauth/${kind}/callback?`)).toBe(true);
    const page = await browser.fetch(callback);
    return { url: providerUrl, callback, page, html: await page.text() };
  }
  /** The admin's browser: the consent's binding cookie lives here (support/oauth-consent.ts). */
  let browser: ConsentBrowser;

  const stateOf = (authorizeUrl: string) => new URL(authorizeUrl).searchParams.get('state')!;

  beforeAll(async () => {
    [qbo, xero, cwA, cwB] = await Promise.all([
      startQboSim(),
      startXeroSimHandle(),
      startSeededConnectWise(cwSeed),
      startSeededConnectWise(),
    ]);
    pod = await startTestPod({ config: simConfig(qbo.url, xero.url) });
    browser = new ConsentBrowser(pod.url);
    tenantA = await addSimTenant(pod, cwA);
    await addSimTenant(pod, cwB, 'Other MSP');
    tokens.admin = await signIn(cwA, members.admin.identifier);
    tokens.accountant = await signIn(cwA, members.accountant.identifier);
    tokens.viewer = await signIn(cwA, members.viewer.identifier);
    tokens.adminB = await signIn(cwB, members.admin.identifier);
  });
  afterAll(async () => {
    await pod?.close();
    await Promise.all([qbo?.close(), xero?.close(), cwA?.close(), cwB?.close()]);
  });

  it('connects QuickBooks Online: tokens stored encrypted, listed without secrets, the ledger works', async () => {
    const { page, html, url } = await connect('admin', 'qbo');
    expect(url.startsWith(`${qbo.url}/oauth2/authorize?`)).toBe(true);
    expect(page.status).toBe(200);
    expect(html).toContain(
      `window.opener?.postMessage("{\\"ledgerpod\\":\\"connected\\",\\"kind\\":\\"qbo\\"}", '*')`,
    );
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'sha256-/);
    // Reached from the provider's origin: a stricter opener policy would cut window.opener.
    expect(page.headers.get('cross-origin-opener-policy')).toBe('unsafe-none');

    const listed = await api('admin').get('/api/v1/connections');
    expect(listed.status).toBe(200);
    expect(listed.body.connections).toEqual([
      expect.objectContaining({
        kind: 'qbo',
        externalId: qbo.externalId,
        status: 'active',
        isDefault: true,
        // Read from the company's Preferences and CompanyInfo at connect time.
        taxSetup: { model: 'us', country: 'US', automatedSalesTax: true },
      }),
    ]);
    expect(JSON.stringify(listed.body)).not.toMatch(/token|RT1-|eyJsim/i);

    const row = (await pod.services.connections.list(tenantA.id))[0]!;
    const stored = pod.services.connections.tokensOf(row);
    expect(stored.accessToken).toMatch(/^eyJsim\./);
    expect(row.tokens_enc).not.toContain(stored.accessToken);
    expect(row.tokens_enc).not.toContain(stored.refreshToken);
    expect(html).not.toContain(stored.accessToken);
    expect(html).not.toContain(stored.refreshToken);

    const accounts = await pod.services.ledgers.for(row).listAccounts();
    expect(accounts.map((a) => a.name)).toContain('Services');
  });

  it('connects Xero: the organisation from /connections, named as Xero names it', async () => {
    const { page, html } = await connect('admin', 'xero');
    expect(page.status).toBe(200);
    expect(html).toContain('Contoso Managed IT is connected');
    const listed = await api('admin').get('/api/v1/connections');
    expect(listed.body.connections).toEqual([
      expect.objectContaining({ kind: 'qbo' }),
      expect.objectContaining({
        kind: 'xero',
        externalId: xero.externalId,
        name: 'Contoso Managed IT',
        isDefault: false,
      }),
    ]);
    const row = (await pod.services.connections.list(tenantA.id)).find((c) => c.kind === 'xero')!;
    expect((await pod.services.ledgers.for(row).listTaxCodes()).length).toBeGreaterThan(0);
  });

  it('refuses a replayed state, a state of another kind, an expired and a forged one, each with a fix', async () => {
    const started = { body: { url: (await browser.begin(tokens.admin!, 'qbo')).providerUrl } };
    const fetch = browser.fetch.bind(browser);
    const consent = await fetch(started.body.url, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);

    const otherKind = await fetch(`${pod.url}/oauth/xero/callback${callback.search}`);
    expect(otherKind.status).toBe(400);
    expect(await otherKind.text()).toMatch(/another accounting system.*How to fix/s);

    expect((await fetch(callback)).status).toBe(200);
    const replay = await fetch(callback);
    expect(replay.status).toBe(409);
    expect(await replay.text()).toMatch(/already been used/);

    const claims = decodeJwt(stateOf(started.body.url));
    const sign = (payload: Record<string, unknown>, key: Uint8Array, exp: number) =>
      new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('ledgerpod')
        .setAudience('ledgerpod-oauth-state')
        .setJti(String(claims.jti))
        .setSubject(String(claims.sub))
        .setIssuedAt(exp - 600)
        .setExpirationTime(exp)
        .sign(key);
    const withState = (state: string) => {
      const url = new URL(callback);
      url.searchParams.set('state', state);
      return fetch(url);
    };
    const now = Math.floor(Date.now() / 1000);
    const expired = await withState(
      await sign({ tid: claims.tid, kind: 'qbo' }, pod.config.sessionKey, now - 5),
    );
    expect(expired.status).toBe(400);
    expect(await expired.text()).toMatch(/expired.*press Connect again/s);
    const forged = await withState(
      await sign({ tid: claims.tid, kind: 'qbo' }, new Uint8Array(32).fill(7), now + 60),
    );
    expect(forged.status).toBe(400);
    expect(await forged.text()).toMatch(/not started by this Ledgerpod server/);
  });

  it("binds a state to its tenant: tenant A's state cannot complete for tenant B", async () => {
    const startedA = { body: { url: (await browser.begin(tokens.admin!, 'xero')).providerUrl } };
    const fetch = browser.fetch.bind(browser);
    const a = decodeJwt(stateOf(startedA.body.url));
    const tenantB = decodeJwt(tokens.adminB!).tid as string;
    // Even holding the signing key, a state whose tenant differs from the one it was issued to is refused.
    const moved = await new SignJWT({ tid: tenantB, kind: 'xero' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('ledgerpod')
      .setAudience('ledgerpod-oauth-state')
      .setJti(String(a.jti))
      .setSubject(String(a.sub))
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(pod.config.sessionKey);
    const consent = await fetch(startedA.body.url.replace(stateOf(startedA.body.url), moved), {
      redirect: 'manual',
    });
    const page = await fetch(consent.headers.get('location')!);
    expect(page.status).toBe(400);
    expect(await page.text()).toMatch(/does not belong to your Ledgerpod account/);
    expect(await pod.services.connections.list(tenantB)).toEqual([]);
  });

  it('keeps connection admin to admins and to their own tenant', async () => {
    for (const who of ['viewer', 'accountant']) {
      for (const res of [
        await api(who).post('/api/v1/connections/qbo/authorize'),
        await api(who).get('/api/v1/connections'),
        await api(who).get(`/api/v1/mappings?connectionId=${tenantA.id}`),
        await api(who).put('/api/v1/settings', { batchPrefix: 'X' }),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body.error).toMatchObject({ code: 'forbidden_role', hint: expect.any(String) });
      }
    }
    expect((await request(pod.url).get('/api/v1/connections')).status).toBe(401);

    const [aConnection] = await pod.services.connections.list(tenantA.id);
    for (const res of [
      await api('adminB').delete(`/api/v1/connections/${aConnection!.id}`),
      await api('adminB').put(`/api/v1/connections/${aConnection!.id}/routing`, {
        cwLocationIds: [1],
        isDefault: true,
      }),
      await api('adminB').get(`/api/v1/mappings?connectionId=${aConnection!.id}`),
      await api('adminB').put('/api/v1/mappings', {
        connectionId: aConnection!.id,
        kind: 'gl_account',
        cwKey: '4000',
        ledgerKey: '1',
      }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('connection_not_found');
    }
    expect((await api('adminB').get('/api/v1/connections')).body.connections).toEqual([]);
    expect(() => providerOf({}, 'xero')).toThrow(
      expect.objectContaining({ code: 'provider_not_configured' }),
    );
  });

  it('round-trips mappings with pickers filled from ConnectWise and the ledger', async () => {
    const qboConnection = (await pod.services.connections.list(tenantA.id)).find((c) => c.kind === 'qbo')!;
    const screen = await api('admin').get(`/api/v1/mappings?connectionId=${qboConnection.id}`);
    expect(screen.status).toBe(200);
    const glAccounts = [
      { key: '4000', name: '4000 Services revenue' },
      { key: '4100', name: '4100 Product revenue' },
    ];
    // Items and classes are mapped per CW GL account.
    expect(screen.body.cw).toEqual({
      glAccounts,
      taxCodes: [{ key: 'TAX', name: 'Sales tax 8.25%' }],
      items: glAccounts,
      classes: glAccounts,
      // CW's billing terms (the simulator's defaults), keyed by their termsXref.
      terms: ['Net 30', 'Net 15', 'Due on receipt', 'Net 60'].map((name) => ({ key: name, name })),
    });
    expect(screen.body.ledger.accounts).toContainEqual(
      expect.objectContaining({ key: '1', name: 'Services' }),
    );
    for (const list of ['taxCodes', 'classes', 'items', 'terms'])
      expect(screen.body.ledger[list].length).toBeGreaterThan(0);
    expect(screen.body.mappings).toEqual([]);
    // One kind's picker alone (where a failure names a code to map): the same list, from the ledger.
    for (const [kind, list] of [
      ['gl_account', 'accounts'],
      ['tax_code', 'taxCodes'],
    ] as const) {
      const options = await api('admin').get(
        `/api/v1/mappings/options?connectionId=${qboConnection.id}&kind=${kind}`,
      );
      expect(options.status).toBe(200);
      expect(options.body.options).toEqual(screen.body.ledger[list]);
    }
    const badKind = await api('admin').get(
      `/api/v1/mappings/options?connectionId=${qboConnection.id}&kind=x`,
    );
    expect(badKind.status).toBe(400);
    expect(badKind.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['kind']);

    const put = await api('admin').put('/api/v1/mappings', {
      connectionId: qboConnection.id,
      kind: 'gl_account',
      cwKey: '4000',
      ledgerKey: '1',
    });
    expect(put.status).toBe(200);
    expect(put.body.mapping).toEqual({
      kind: 'gl_account',
      cwKey: '4000',
      ledgerKey: '1',
      ledgerName: 'Services',
    });
    const tax = screen.body.ledger.taxCodes[0];
    await api('admin').put('/api/v1/mappings', {
      connectionId: qboConnection.id,
      kind: 'tax_code',
      cwKey: 'TAX',
      ledgerKey: tax.key,
    });
    const again = await api('admin').get(`/api/v1/mappings?connectionId=${qboConnection.id}`);
    expect(again.body.mappings).toEqual([
      { kind: 'gl_account', cwKey: '4000', ledgerKey: '1', ledgerName: 'Services' },
      { kind: 'tax_code', cwKey: 'TAX', ledgerKey: tax.key, ledgerName: tax.name },
    ]);

    const unknown = await api('admin').put('/api/v1/mappings', {
      connectionId: qboConnection.id,
      kind: 'gl_account',
      cwKey: '4000',
      ledgerKey: 'no-such-account',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_ledger_key', hint: expect.any(String) });
    const invalid = await api('admin').put('/api/v1/mappings', {
      connectionId: qboConnection.id,
      kind: 'nope',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('invalid_request');
  });

  it('reads settings as accountant and patches them as admin, leaving other fields alone', async () => {
    const read = await api('accountant').get('/api/v1/settings');
    expect(read.status).toBe(200);
    expect(read.body.settings).toMatchObject({ roundingLimit: '10.00', batchPrefix: '' });
    expect((await api('viewer').get('/api/v1/settings')).status).toBe(403);

    const patched = await api('admin').put('/api/v1/settings', { batchPrefix: 'LP-', roundingLimit: '5.00' });
    expect(patched.status).toBe(200);
    expect(patched.body.settings).toMatchObject({
      batchPrefix: 'LP-',
      roundingLimit: '5.00',
      syncOnClose: false,
    });
    const partial = await api('admin').put('/api/v1/settings', { syncOnClose: true });
    expect(partial.body.settings).toMatchObject({
      batchPrefix: 'LP-',
      roundingLimit: '5.00',
      syncOnClose: true,
    });
    const bad = await api('admin').put('/api/v1/settings', { roundingLimit: 'ten', colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
  });

  it('routes by CW location and disconnects, revoking at the provider', async () => {
    const xeroConnection = (await pod.services.connections.list(tenantA.id)).find((c) => c.kind === 'xero')!;
    const routed = await api('admin').put(`/api/v1/connections/${xeroConnection.id}/routing`, {
      cwLocationIds: [2, 3],
      isDefault: true,
    });
    expect(routed.status).toBe(200);
    expect(routed.body.connection).toMatchObject({ cwLocationIds: [2, 3], isDefault: true });
    // No CW id is that large (they are 32-bit): a clear 400, not a database failure.
    const tooLarge = await api('admin').put(`/api/v1/connections/${xeroConnection.id}/routing`, {
      cwLocationIds: [2 ** 31],
      isDefault: true,
    });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.error).toMatchObject({
      code: 'invalid_request',
      details: { fields: [{ field: 'cwLocationIds.0' }] },
    });
    expect((await pod.services.connections.routeFor(tenantA.id, 3))?.id).toBe(xeroConnection.id);
    const listed = (await api('admin').get('/api/v1/connections')).body.connections;
    expect(listed.find((c: { kind: string }) => c.kind === 'qbo').isDefault).toBe(false);

    const qboConnection = (await pod.services.connections.list(tenantA.id)).find((c) => c.kind === 'qbo')!;
    const { refreshToken } = pod.services.connections.tokensOf(qboConnection);
    const removed = await api('admin').delete(`/api/v1/connections/${qboConnection.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body.connection).toMatchObject({ status: 'disconnected', isDefault: false });
    // Revoked at Intuit: the old refresh token no longer works.
    const refused = await pod.services.ledgers
      .oauthOf('qbo')
      .refresh(refreshToken, qbo.externalId)
      .catch((e: { providerCode?: string }) => e);
    expect(refused).toMatchObject({ code: 'ledger_unauthorized', providerCode: 'invalid_grant' });
  });
});
