import { Router } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseInput } from '../../server/http/validate.js';
import { testConfig } from '../support/test-config.js';
import { startTestPod, type TestPod } from '../support/test-pod.js';

const probeRoutes = () => {
  const router = Router();
  router.post('/test/echo', (req, res) => {
    const body = parseInput(z.object({ name: z.string().min(1), amount: z.number().int() }), req.body);
    res.json(body);
  });
  router.get('/test/boom', () => {
    throw new Error('secret internals at /srv/app.ts:42');
  });
  router.get('/test/async-boom', async () => {
    await Promise.resolve();
    throw new TypeError('async internals');
  });
  return [router];
};

describe('HTTP shell', () => {
  let pod: TestPod;
  beforeAll(async () => {
    pod = await startTestPod({
      config: testConfig({ CW_ALLOWED_ORIGINS: 'https://na.myconnectwise.net' }),
      routers: probeRoutes,
    });
  });
  afterAll(() => pod.close());

  it('GET /healthz answers while the process is up', async () => {
    const res = await request(pod.url).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz checks the database and the queue', async () => {
    const res = await request(pod.url).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', database: true, queue: true });
  });

  it('GET /metrics exposes the HTTP latency histogram and job counters', async () => {
    await request(pod.url).get('/healthz');
    const res = await request(pod.url).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('ledgerpod_http_request_duration_seconds_bucket');
    expect(res.text).toContain('ledgerpod_jobs_total');
  });

  it('malformed JSON -> 400 invalid_json', async () => {
    const res = await request(pod.url)
      .post('/test/echo')
      .set('content-type', 'application/json')
      .send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/json/);
    expect(res.body.error).toMatchObject({
      code: 'invalid_json',
      message: expect.any(String),
      hint: expect.any(String),
    });
  });

  it('unknown route -> 404 not_found', async () => {
    const res = await request(pod.url).get('/nowhere');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'not_found', hint: expect.any(String) });
  });

  it('invalid body -> 400 invalid_request listing the fields', async () => {
    const res = await request(pod.url).post('/test/echo').send({ name: '', amount: 1.5 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    const fields = res.body.error.details.fields.map((f: { field: string }) => f.field);
    expect(fields.sort()).toEqual(['amount', 'name']);
  });

  it('a valid body passes validation', async () => {
    const res = await request(pod.url).post('/test/echo').send({ name: 'x', amount: 2 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ name: 'x', amount: 2 });
  });

  it.each(['/test/boom', '/test/async-boom'])(
    'a thrown error on %s -> 500 internal with a request id, no stack',
    async (path) => {
      const res = await request(pod.url).get(path).set('x-request-id', 'req-12345678');
      expect(res.status).toBe(500);
      expect(res.body.error).toMatchObject({ code: 'internal', requestId: 'req-12345678' });
      expect(res.text).not.toMatch(/internals|\.ts:|at /);
      expect(res.headers['x-request-id']).toBe('req-12345678');
    },
  );

  it('sets security headers that let only ConnectWise frame the pod', async () => {
    const res = await request(pod.url).get('/healthz');
    expect(res.headers['content-security-policy']).toContain('frame-ancestors https://na.myconnectwise.net');
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('HTTP shell behind https', () => {
  let pod: TestPod;
  beforeAll(async () => {
    pod = await startTestPod({ config: testConfig({ PUBLIC_URL: 'https://ledgerpod.example.com' }) });
  });
  afterAll(() => pod.close());

  it('sends HSTS when PUBLIC_URL is https, and frame-ancestors none without tenants', async () => {
    const res = await request(pod.url).get('/healthz');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});
