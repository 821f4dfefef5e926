import { createHmac } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../server/auth/session-token.js';
import { testApiMember } from '../../sim/connectwise/index.js';
import { defaultSimClient } from '../../sim/xero/index.js';
import { qboClient } from '../ledgers/support/ledger-worlds.js';
import { captureLogs } from '../support/capture-logs.js';
import { api, memberAuthentication, members, post } from '../support/cw-tenant.js';
import { ConsentBrowser } from '../support/oauth-consent.js';
import { invoice } from '../support/pipeline-world.js';
import { startTwoTenantWorld, type TwoTenantWorld, worldSecrets } from '../support/two-tenants.js';

/**
 * One scenario with a debug-level captured logger: sign-ins (good and forged), OAuth connects and
 * refused states, pushes to QBO with a token refresh, a CW fault and an unmapped account, a
 * payment back. Then every secret the scenario handled is searched for in the log output.
 */
describe('OAuth state abuse, and no secret in the logs', () => {
  const logs = captureLogs();
  let w: TwoTenantWorld;
  const secrets = new Map<string, string>();
  const remember = (what: string, value: string | undefined) => {
    if (value && value.length >= 6) secrets.set(value, what);
  };
  const oauthUrlSecrets = new Map<string, string>();

  beforeAll(async () => {
    w = await startTwoTenantWorld({ logger: logs.logger });
  });
  afterAll(() => w?.close());

  /** The admin's browser, holding each consent's binding cookie (support/oauth-consent.ts). */
  let browser: ConsentBrowser;
  const authorize = async (token: string, kind: 'qbo' | 'xero') => {
    browser ??= new ConsentBrowser(w.pod.url);
    const { providerUrl } = await browser.begin(token, kind);
    const consent = await fetch(providerUrl, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);
    oauthUrlSecrets.set(callback.searchParams.get('code')!, 'OAuth code');
    oauthUrlSecrets.set(callback.searchParams.get('state')!, 'OAuth state');
    return callback;
  };
  const html = async (url: URL | string) => {
    const res = await browser.fetch(url);
    return { status: res.status, text: await res.text() };
  };

  describe('OAuth state', () => {
    it('completes once for the tenant that started it; a replay is 409 and stores nothing more', async () => {
      const callback = await authorize(w.a.token.admin, 'xero');
      expect((await html(callback)).status).toBe(200);
      const replay = await html(callback);
      expect(replay.status).toBe(409);
      expect(replay.text).toMatch(/already been used/);
      const ofA = await w.pod.services.connections.list(w.a.tenant.id);
      expect(ofA.map((c) => c.kind)).toEqual(['xero']);
      expect((await w.pod.services.connections.list(w.b.tenant.id)).map((c) => c.kind)).toEqual(['qbo']);
    });

    it("A's state moved to B (re-signed with the server key) is refused; B gains nothing", async () => {
      const callback = await authorize(w.a.token.admin, 'xero');
      const claims = decodeJwt(callback.searchParams.get('state')!);
      const moved = await new SignJWT({ tid: w.b.tenant.id, kind: 'xero' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('ledgerpod')
        .setAudience('ledgerpod-oauth-state')
        .setJti(String(claims.jti))
        .setSubject(String(claims.sub))
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(w.pod.config.sessionKey);
      callback.searchParams.set('state', moved);
      const page = await html(callback);
      expect(page.status).toBe(400);
      expect(page.text).toMatch(/does not belong to your Ledgerpod account/);
      expect((await w.pod.services.connections.list(w.b.tenant.id)).map((c) => c.kind)).toEqual(['qbo']);
    });

    it('a state whose row expired is refused even though its JWT is still valid', async () => {
      const callback = await authorize(w.a.token.admin, 'xero');
      const jti = String(decodeJwt(callback.searchParams.get('state')!).jti);
      await sql`update oauth_states set expires_at = now() - interval '1 second' where jti = ${jti}`.execute(
        w.pod.database.db,
      );
      const page = await html(callback);
      expect(page.status).toBe(400);
      expect(page.text).not.toMatch(/is connected to Ledgerpod/);
    });

    it('a state is not a session token, and a session token is not a state', async () => {
      const callback = await authorize(w.a.token.admin, 'xero');
      const state = callback.searchParams.get('state')!;
      const asSession = await api(w.pod.url, state, 'GET', '/api/v1/me');
      expect(asSession.status).toBe(401);
      // A token minted for this probe only: callback URLs are logged (see the BUG below).
      const probe = await new SessionTokens(w.pod.config.sessionKey).issue({
        tenantId: w.a.tenant.id,
        memberId: 'jdoe',
        memberName: 'state probe',
        role: 'admin',
      });
      callback.searchParams.set('state', probe.token);
      const asState = await html(callback);
      expect(asState.status).toBe(400);
      expect(asState.text).toMatch(/not started by this Ledgerpod server/);
    });

    it('a declined consent spends the state: the same link cannot be finished later', async () => {
      const callback = await authorize(w.a.token.admin, 'xero');
      const declined = new URL(callback);
      declined.searchParams.delete('code');
      declined.searchParams.set('error', 'access_denied');
      expect((await html(declined)).status).toBe(400);
      expect((await html(callback)).status).toBe(409);
    });

    it('the callback page escapes what the provider sends back', async () => {
      const page = await html(
        `${w.pod.url}/oauth/xero/callback?error=x&error_description=${encodeURIComponent('<script>alert(1)</script>')}`,
      );
      expect(page.status).toBe(400);
      expect(page.text).not.toContain('<script>alert(1)</script>');
      expect(page.text).toContain('&lt;script&gt;');
    });
  });

  describe('the scenario', () => {
    it('signs in good and forged members', async () => {
      for (const side of [w.a, w.b]) {
        for (const role of Object.keys(members) as (keyof typeof members)[]) {
          const auth = await memberAuthentication(side.cw, members[role].identifier);
          remember('memberHash', auth.memberHash);
          remember('memberContext', auth.memberContext);
          const ok = await fetch(`${w.pod.url}/api/v1/session`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(auth),
          });
          expect(ok.status).toBe(200);
          remember('session token', ((await ok.json()) as { token: string }).token);
          const forged = await fetch(`${w.pod.url}/api/v1/session`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ ...auth, memberHash: `${String(auth.memberHash).slice(0, -4)}AAAA` }),
          });
          expect(forged.status).toBe(401);
          remember('forged memberHash', `${String(auth.memberHash).slice(0, -4)}AAAA`);
        }
      }
    });

    it('pushes to QuickBooks with a token refresh, a CW fault and an unmapped account; a payment comes back', async () => {
      const db = w.pod.database.db;
      await db
        .insertInto('mappings')
        .values(
          [
            ['item', '4000', '30'],
            ['tax_code', 'State', '21'],
            ['tax_code', 'Exempt', '22'],
          ].map(([kind, cwKey, ledgerKey]) => ({
            tenant_id: w.b.tenant.id,
            connection_id: w.ofB.connection.id,
            kind: kind as 'item',
            cw_key: cwKey!,
            ledger_key: ledgerKey!,
          })),
        )
        .execute();
      const good = invoice(8101, 'LOG-8101');
      const bad = invoice(8102, 'LOG-8102', {
        lines: [{ description: 'Unmapped', quantity: 1, unitPrice: 10, accountNumber: '4999' }],
      });
      await post(w.b.cw.url, '/__sim/seed', {
        invoices: [good.invoice, bad.invoice],
        glTransactions: [good.glTransaction, bad.glTransaction],
      });
      await w.qbo.expireAccessTokens();
      await post(w.b.cw.url, '/__sim/faults', {
        method: 'POST',
        path: '*/finance/accounting/export',
        kind: 'http500',
        times: 1,
      });
      const asB = (method: string, path: string, body?: unknown) =>
        api(w.pod.url, w.b.token.accountant, method, path, body);
      expect((await asB('POST', '/api/v1/records/invoice/8101/sync')).status).toBe(202);
      expect((await asB('POST', '/api/v1/records/invoice/8102/sync')).status).toBe(202);
      const until = async (cwId: number, states: string[]) => {
        const deadline = Date.now() + 45_000;
        for (;;) {
          const res = await asB('GET', `/api/v1/records/invoice/${cwId}`);
          if (res.status === 200 && states.includes(res.body.state)) return res.body;
          if (Date.now() > deadline) throw new Error(`${cwId}: ${JSON.stringify(res.body)}`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      };
      const synced = await until(8101, ['synced']);
      expect((await until(8102, ['error'])).error!.code).toBe('gl_account_unmapped');
      await w.qbo.recordPayment(synced.ledger.id, synced.record.total);
      expect((await asB('POST', '/api/v1/payments/sync', {})).status).toBe(202);
      await until(8101, ['paid']);
    });

    it('calls the operator API and receives ledger webhooks, good and forged', async () => {
      const listed = await api(w.pod.url, worldSecrets.operatorToken, 'GET', '/api/v1/operator/tenants');
      expect(listed.status).toBe(200);
      expect(
        (await api(w.pod.url, `${worldSecrets.operatorToken}x`, 'GET', '/api/v1/operator/tenants')).status,
      ).toBe(401);
      const body = JSON.stringify({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: 'E' });
      const sign = (secret: string) => createHmac('sha256', secret).update(body).digest('base64');
      for (const signature of [sign(worldSecrets.xeroWebhookKey), sign('wrong')]) {
        await fetch(`${w.pod.url}/webhooks/xero`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-xero-signature': signature },
          body,
        });
        await fetch(`${w.pod.url}/webhooks/qbo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'intuit-signature': signature },
          body: '[]',
        });
      }
    });

    it('no secret the scenario handled appears in the debug log output', async () => {
      for (const side of [w.a, w.b]) {
        for (const connection of await w.pod.services.connections.list(side.tenant.id)) {
          const tokens = w.pod.services.connections.tokensOf(connection);
          remember('access token', tokens.accessToken);
          remember('refresh token', tokens.refreshToken);
        }
      }
      remember('CW private key', testApiMember.privateKey);
      remember('operator token', worldSecrets.operatorToken);
      remember('QBO webhook verifier', worldSecrets.qboWebhookVerifier);
      remember('Xero webhook key', worldSecrets.xeroWebhookKey);
      remember('QBO client secret', qboClient.secret);
      remember('Xero client secret', defaultSimClient.clientSecret);
      for (const key of [...w.pod.config.secretKeys, w.pod.config.sessionKey]) {
        remember('SECRET_KEY/SESSION_KEY (hex)', key.toString('hex'));
        remember('SECRET_KEY/SESSION_KEY (base64)', key.toString('base64'));
        remember('SECRET_KEY/SESSION_KEY (base64url)', key.toString('base64url'));
      }
      const text = logs.text();
      expect(text).toContain('member signed in');
      expect(text).toContain('ledger connected');
      expect(secrets.size).toBeGreaterThan(20);
      const leaked = [...secrets].filter(([value]) => text.includes(value)).map(([, what]) => what);
      expect(leaked).toEqual([]);
    });

    it('a request is logged by its id, method, path and status only: no headers either way', () => {
      const requests = logs
        .text()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { req?: object; res?: object })
        .filter((line) => line.req && line.res);
      expect(requests.length).toBeGreaterThan(10);
      for (const line of requests) {
        expect(Object.keys(line.req!).sort()).toEqual(['id', 'method', 'url']);
        expect(Object.keys(line.res!)).toEqual(['statusCode']);
      }
    });

    // The OAuth callback's one-time code and state travel in the query string.
    it('the OAuth callback code and state are not logged', () => {
      const text = logs.text();
      const leaked = [...oauthUrlSecrets].filter(([value]) => text.includes(value)).map(([, what]) => what);
      expect(leaked).toEqual([]);
    });
  });
});
