import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSimTenant, type CwSim, sessionToken, startSeededConnectWise } from '../support/cw-tenant.js';
import { testConfig } from '../support/test-config.js';
import { startTestPod, type TestPod } from '../support/test-pod.js';

/** frame-ancestors of a CSP header, as a list of sources. */
const frameAncestors = (csp: string | null) =>
  (csp ?? '')
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith('frame-ancestors'))
    ?.split(/\s+/)
    .slice(1) ?? [];

describe.each([
  ['http', undefined],
  ['https', 'https://ledgerpod.example.com'],
] as const)('response headers (PUBLIC_URL %s)', (scheme, publicUrl) => {
  let cw: CwSim;
  let pod: TestPod;
  let token: string;
  beforeAll(async () => {
    cw = await startSeededConnectWise();
    pod = await startTestPod({
      config: testConfig({
        ...(publicUrl ? { PUBLIC_URL: publicUrl } : {}),
        CW_ALLOWED_ORIGINS: 'https://na.myconnectwise.net',
      }),
    });
    await addSimTenant(pod, cw);
    await pod.frameOrigins.refresh();
    token = await sessionToken(pod.url, cw, 'viewer');
  });
  afterAll(async () => {
    await pod?.close();
    await cw?.close();
  });

  const targets: [string, string, Record<string, string>?][] = [
    ['the pod page', '/pod/'],
    ['a pod asset that does not exist', '/pod/assets/nope.js'],
    ['health', '/healthz'],
    ['an API answer', '/api/v1/me', {}],
    ['an API 401', '/api/v1/me'],
    ['a 404', '/nowhere'],
    ['the OAuth callback page', '/oauth/qbo/callback?state=x&code=y'],
  ];

  it.each(targets)(
    '%s: nosniff, no X-Frame-Options, no X-Powered-By, HSTS only on https',
    async (_n, path, auth) => {
      const res = await fetch(`${pod.url}${path}`, {
        headers: auth ? { authorization: `Bearer ${token}` } : {},
      });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBeNull();
      expect(res.headers.get('x-powered-by')).toBeNull();
      const hsts = res.headers.get('strict-transport-security');
      if (scheme === 'https') expect(hsts).toMatch(/max-age=\d{7,}/);
      else expect(hsts).toBeNull();
      expect(res.headers.get('content-security-policy')).toBeTruthy();
    },
  );

  it.each(targets.filter(([, path]) => !path.startsWith('/oauth/')))(
    '%s: frame-ancestors names only the tenants’ ConnectWise origins and the configured ones',
    async (_n, path, auth) => {
      const res = await fetch(`${pod.url}${path}`, {
        headers: auth ? { authorization: `Bearer ${token}` } : {},
      });
      const sources = frameAncestors(res.headers.get('content-security-policy'));
      expect(sources.sort()).toEqual([new URL(cw.url).origin, 'https://na.myconnectwise.net'].sort());
      expect(sources).not.toContain('*');
    },
  );

  it('the OAuth popup page may be framed by nobody and runs only its own script', async () => {
    const res = await fetch(`${pod.url}/oauth/qbo/callback?state=x&code=y`);
    const csp = res.headers.get('content-security-policy')!;
    expect(frameAncestors(csp)).toEqual(["'none'"]);
    expect(csp).toMatch(/default-src 'none'/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('error answers carry no stack, no HTML and no server banner', async () => {
    const res = await fetch(`${pod.url}/api/v1/records/invoice/abc`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const text = await res.text();
    expect(text).not.toMatch(/<html|at \w+ \(|node_modules|\.ts:\d+/i);
    expect(res.headers.get('server')).toBeNull();
  });
});
