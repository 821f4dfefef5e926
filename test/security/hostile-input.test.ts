import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSimTenant, api, type CwSim, sessionToken, startSeededConnectWise } from '../support/cw-tenant.js';
import { startTestPod, type TestPod } from '../support/test-pod.js';

/**
 * Issue 18, finding 8: hostile input that once ended as a 500 gets a 400 naming the field, and
 * finding 5: the tenant-wide audit log is for admins, a record's own events for every role.
 */
describe('hostile input answers 400 naming the field', () => {
  let cw: CwSim;
  let pod: TestPod;
  const tokens: Record<'admin' | 'accountant' | 'viewer', string> = { admin: '', accountant: '', viewer: '' };
  beforeAll(async () => {
    cw = await startSeededConnectWise();
    pod = await startTestPod();
    await addSimTenant(pod, cw);
    for (const role of ['admin', 'accountant', 'viewer'] as const)
      tokens[role] = await sessionToken(pod.url, cw, role);
  });
  afterAll(async () => {
    await pod?.close();
    await cw?.close();
  });

  const send = async (method: string, path: string, body?: string, token?: string) => {
    const res = await fetch(`${pod.url}${path}`, {
      method,
      body,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) };
  };
  const fieldsOf = (body: { error: { details?: { fields?: { field: string }[] } } }) =>
    body.error.details?.fields?.map((f) => f.field);

  const deep = (levels: number, open = '[', close = ']') => open.repeat(levels) + close.repeat(levels);

  it.each([
    ['arrays', deep(10_000)],
    ['objects', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`],
    ['arrays inside a valid sign-in', `{"companyid":"ledgerpod","memberid":"x","x":${deep(20_000)}}`],
  ])('JSON nested 10,000+ deep (%s), on the unauthenticated sign-in, is a 400', async (_name, body) => {
    expect(body.length).toBeLessThan(70_000);
    const res = await send('POST', '/api/v1/session', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(fieldsOf(res.body)).toEqual(['body']);
    expect(res.body.error.message).toMatch(/levels deep/);
  });

  it('a deep body behind a session is refused the same way, and one within the limit still parses', async () => {
    const tooDeep = await send('PUT', '/api/v1/settings', `{"batchPrefix":${deep(5_000)}}`, tokens.admin);
    expect(tooDeep.status).toBe(400);
    expect(fieldsOf(tooDeep.body)).toEqual(['body']);
    // Brackets inside strings are text, not nesting.
    const inString = await send(
      'PUT',
      '/api/v1/settings',
      JSON.stringify({ roleMap: { [`${'['.repeat(100)}"{`]: 'viewer' } }),
      tokens.admin,
    );
    expect(inString.status).toBe(200);
    const shallow = await send('PUT', '/api/v1/settings', `{"roleMap":{"Sales":"viewer"}}`, tokens.admin);
    expect(shallow.status).toBe(200);
    expect(shallow.body.settings.roleMap).toEqual({ Sales: 'viewer' });
  });

  it('a malformed cursor is a 400 naming cursor', async () => {
    for (const cursor of ['not-a-cursor', Buffer.from('yesterday|1').toString('base64url'), '%%%', 'AAAA']) {
      const res = await send(
        'GET',
        `/api/v1/records?cursor=${encodeURIComponent(cursor)}`,
        undefined,
        tokens.accountant,
      );
      expect(res.status, cursor).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['cursor']);
    }
  });

  it('a cursor the API gave out still pages', async () => {
    const first = await send('GET', '/api/v1/records?limit=1', undefined, tokens.accountant);
    expect(first.status).toBe(200);
    const cursor = Buffer.from(`${new Date().toISOString()}|00000000-0000-4000-8000-000000000000`).toString(
      'base64url',
    );
    const next = await send('GET', `/api/v1/records?cursor=${cursor}`, undefined, tokens.accountant);
    expect(next.status).toBe(200);
  });

  it.each([
    'invoice:0',
    'invoice:-1',
    'invoice:1.5',
    'invoice:99999999999999999999',
    'ticket:5',
    'invoice:5:6',
    'invoice',
  ])('record=%s on the events log is a 400 naming record', async (record) => {
    const res = await send(
      'GET',
      `/api/v1/events?record=${encodeURIComponent(record)}`,
      undefined,
      tokens.viewer,
    );
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(['record']);
  });

  it('a lone surrogate in a settings string is a 400 naming the field; the settings stay', async () => {
    const before = await send('GET', '/api/v1/settings', undefined, tokens.admin);
    for (const [body, field] of [
      ['{"batchPrefix":"LP\\ud800"}', 'batchPrefix'],
      ['{"batchPrefix":"\\udc00LP"}', 'batchPrefix'],
      ['{"roleMap":{"Admin\\ud800":"admin"}}', 'roleMap.Admin\ud800'],
    ] as const) {
      const res = await send('PUT', '/api/v1/settings', body, tokens.admin);
      expect(res.status, body).toBe(400);
      expect(fieldsOf(res.body)).toEqual([field]);
      expect(res.body.error.message).toMatch(/surrogate/);
    }
    // A pair is a character and is fine.
    const pair = await send('PUT', '/api/v1/settings', '{"batchPrefix":"LP\\ud83d\\ude00"}', tokens.admin);
    expect(pair.status).toBe(200);
    await send(
      'PUT',
      '/api/v1/settings',
      JSON.stringify({ batchPrefix: before.body.settings.batchPrefix }),
      tokens.admin,
    );
  });
});

describe('the audit log: tenant-wide for admins, a record’s own events for every role', () => {
  let cw: CwSim;
  let pod: TestPod;
  beforeAll(async () => {
    cw = await startSeededConnectWise();
    pod = await startTestPod();
    await addSimTenant(pod, cw);
  });
  afterAll(async () => {
    await pod?.close();
    await cw?.close();
  });

  it.each([
    ['viewer', 403],
    ['accountant', 403],
    ['admin', 200],
  ] as const)('GET /api/v1/events without a record as %s: %i', async (role, status) => {
    const token = await sessionToken(pod.url, cw, role);
    const res = await api(pod.url, token, 'GET', '/api/v1/events?limit=500');
    expect(res.status).toBe(status);
    if (status === 403) expect(res.body.error.code).toBe('forbidden_role');
    const since = await api(pod.url, token, 'GET', '/api/v1/events?since=2020-01-01');
    expect(since.status).toBe(status);
  });

  it.each(['viewer', 'accountant', 'admin'] as const)('a record’s own events as %s: 200', async (role) => {
    const token = await sessionToken(pod.url, cw, role);
    const res = await api(pod.url, token, 'GET', '/api/v1/events?record=invoice:4242');
    expect(res.status).toBe(200);
    expect(res.body.events).toEqual([]);
  });
});
