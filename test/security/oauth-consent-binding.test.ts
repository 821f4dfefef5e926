import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsentBrowser } from '../support/oauth-consent.js';
import { startTwoTenantWorld, type TwoTenantWorld } from '../support/two-tenants.js';

/**
 * Issue 18, finding 11: the OAuth consent an admin starts is bound to that admin's browser by a
 * cookie its popup gets from the pod's own hand-over; a consent link finished anywhere else (no
 * session, or another session's browser) is refused with a clear page and connects nothing.
 */
describe('OAuth consent bound to the browser of the admin who started it', () => {
  let w: TwoTenantWorld;
  beforeAll(async () => {
    w = await startTwoTenantWorld();
  });
  afterAll(() => w?.close());

  const consentCallback = async (providerUrl: string) => {
    const consent = await fetch(providerUrl, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    return consent.headers.get('location')!;
  };
  const xeroConnections = async (tenantId: string) =>
    (await w.pod.services.connections.list(tenantId)).filter(
      (c) => c.kind === 'xero' && c.status === 'active',
    );

  it('a consent link finished in a browser with no session, or in another admin’s browser, is refused; the starter’s still works', async () => {
    const attacker = new ConsentBrowser(w.pod.url);
    const { providerUrl } = await attacker.begin(w.a.token.admin, 'xero');
    const callback = await consentCallback(providerUrl);
    const before = (await xeroConnections(w.a.tenant.id)).length;

    // The victim: no cookie at all (a link opened in a fresh browser).
    const bare = await fetch(callback);
    expect(bare.status).toBe(403);
    expect(await bare.text()).toMatch(/not started in this browser.*How to fix.*do not use it/s);

    // Another admin's browser, holding a binding of its own consent (tenant B).
    const other = new ConsentBrowser(w.pod.url);
    await other.begin(w.b.token.admin, 'xero');
    const elsewhere = await other.fetch(callback);
    expect(elsewhere.status).toBe(403);
    expect(await xeroConnections(w.a.tenant.id)).toHaveLength(before);
    expect(await xeroConnections(w.b.tenant.id)).toHaveLength(0);

    // Refusals spend nothing: the browser that started it completes it.
    const own = await attacker.fetch(callback);
    expect(own.status).toBe(200);
    expect(await own.text()).toMatch(/connected/);
  });

  it('the popup’s start page takes the ticket only from its same-origin opener; a ticket is no state', async () => {
    const started = await fetch(`${w.pod.url}/api/v1/connections/xero/authorize`, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.a.token.admin}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const { url, ticket } = (await started.json()) as { url: string; ticket: string };
    expect(url).toBe(`${w.pod.url}/oauth/xero/start`);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('e.origin!==location.origin||e.source!==opener');
    expect(page.headers.get('content-security-policy')).toMatch(
      /script-src 'sha256-[^']+'.*connect-src 'self'/,
    );
    // A ticket for another kind, a forged one, and the ticket used as a state are refused.
    const begin = (kind: string, body: unknown) =>
      fetch(`${w.pod.url}/oauth/${kind}/begin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await begin('qbo', { ticket })).status).toBe(400);
    expect((await begin('xero', { ticket: `${ticket}x` })).status).toBe(400);
    const refused = await begin('xero', {});
    expect((await refused.json()).error!.code).toBe('oauth_ticket_invalid');
    const asState = await fetch(`${w.pod.url}/oauth/xero/callback?code=x&state=${ticket}`);
    expect(asState.status).toBe(400);
    const ok = await begin('xero', { ticket });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(
      /^lp_oauth_\w+=[\w-]+; Path=\/oauth; HttpOnly; SameSite=Lax/,
    );
  });
});
