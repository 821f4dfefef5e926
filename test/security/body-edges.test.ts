import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSimTenant, type CwSim, sessionToken, startSeededConnectWise } from '../support/cw-tenant.js';
import { startTestPod, type TestPod } from '../support/test-pod.js';

/** Requests that body parsing and static files refuse: each must leave as a 4xx in the envelope. */
describe('body and static edge cases answer 4xx in the envelope', () => {
  let cw: CwSim;
  let pod: TestPod;
  let token: string;
  beforeAll(async () => {
    cw = await startSeededConnectWise();
    pod = await startTestPod();
    await addSimTenant(pod, cw);
    token = await sessionToken(pod.url, cw, 'admin');
  });
  afterAll(async () => {
    await pod?.close();
    await cw?.close();
  });

  const cases: [string, string, string, RequestInit['body'], Record<string, string>][] = [
    ['malformed JSON', 'POST', '/api/v1/session', '{', { 'content-type': 'application/json' }],
    [
      'JSON over 1 MB',
      'POST',
      '/api/v1/session',
      JSON.stringify({ x: 'x'.repeat(1_100_000) }),
      { 'content-type': 'application/json' },
    ],
    [
      'a valid gzip body',
      'POST',
      '/api/v1/session',
      gzipSync('{}'),
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    ],
    [
      'an unknown content-encoding',
      'POST',
      '/api/v1/session',
      '{}',
      { 'content-type': 'application/json', 'content-encoding': 'snappy' },
    ],
    [
      'JSON in charset latin1',
      'POST',
      '/api/v1/session',
      '{}',
      { 'content-type': 'application/json; charset=latin1' },
    ],
    [
      'JSON in charset utf-16',
      'POST',
      '/api/v1/session',
      '{}',
      { 'content-type': 'application/json; charset=utf-16' },
    ],
    [
      'a gzip header over garbage',
      'POST',
      '/api/v1/session',
      'not gzip at all',
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    ],
    [
      'a deflate header over garbage',
      'POST',
      '/api/v1/session',
      'not deflate',
      { 'content-type': 'application/json', 'content-encoding': 'deflate' },
    ],
    // Found by the fuzzer on PostgreSQL: jsonb and text refuse U+0000.
    [
      'a NUL in a JSON value',
      'PUT',
      '/api/v1/settings',
      '{"batchPrefix":"\\u0000"}',
      { 'content-type': 'application/json', authorization: 'AUTH' },
    ],
    [
      'a NUL in a JSON key',
      'PUT',
      '/api/v1/settings',
      '{"roleMap":{"Admin\\u0000":"admin"}}',
      { 'content-type': 'application/json', authorization: 'AUTH' },
    ],
    ['a NUL in a query', 'GET', '/api/v1/records?q=%00', undefined, { authorization: 'AUTH' }],
    ['a NUL in a path parameter', 'GET', '/api/v1/onboarding/%00', undefined, { authorization: 'AUTH' }],
    ['a missing pod asset', 'GET', '/pod/assets/nope.js', undefined, {}],
    ['a pod asset path with ..', 'GET', '/pod/assets/..%2f..%2fpackage.json', undefined, {}],
    ['a missing file under /pod', 'GET', '/pod/nope.txt', undefined, {}],
    [
      'a malformed percent-encoding in a path parameter',
      'GET',
      '/api/v1/records/invoice/%E0%A4%A',
      undefined,
      { authorization: 'AUTH' },
    ],
    ['a malformed percent-encoding in a pod asset', 'GET', '/pod/assets/%E0%A4%A', undefined, {}],
    // Found by the fuzzer: a path starting with // reads as a protocol-relative URL.
    [
      'a path that reads as a host',
      'PATCH',
      '//%F3%8D%AC%AE?days=1e9',
      '{}',
      { 'content-type': 'application/json' },
    ],
  ];

  for (const [name, method, path, body, headers] of cases) {
    it(`${name}: ${method} ${path}`, async () => {
      const res = await fetch(`${pod.url}${path}`, {
        method,
        body,
        headers: Object.fromEntries(
          Object.entries(headers).map(([k, v]) => [k, v === 'AUTH' ? `Bearer ${token}` : v]),
        ),
      });
      const text = await res.text();
      expect(res.status, text).toBeGreaterThanOrEqual(400);
      expect(res.status, text).toBeLessThan(500);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(JSON.parse(text)).toMatchObject({
        error: { code: expect.any(String), message: expect.any(String) },
      });
    });
  }

  it('a NUL is refused naming the field, and the settings stay as they were', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const before = await (await fetch(`${pod.url}/api/v1/settings`, { headers: auth })).json();
    const res = await fetch(`${pod.url}/api/v1/settings`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ batchPrefix: 'LP\u0000', syncOnClose: !before.settings.syncOnClose }),
    });
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error).toMatchObject({ code: 'invalid_request', hint: expect.stringContaining('NUL') });
    expect(error.details.fields).toEqual([
      { field: 'batchPrefix', problem: expect.stringContaining('U+0000') },
    ]);
    const after = await (await fetch(`${pod.url}/api/v1/settings`, { headers: auth })).json();
    expect(after).toEqual(before);
  });
});
