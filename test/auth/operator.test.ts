import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApiMember, testClientId } from '../../sim/connectwise/index.js';
import { type CwSim, startSeededConnectWise } from '../support/cw-tenant.js';
import { testConfig } from '../support/test-config.js';
import { startTestPod, type TestPod } from '../support/test-pod.js';

const operatorToken = 'op-0123456789abcdef0123456789abcdef';

describe('operator API: tenants over HTTP', () => {
  let sim: CwSim;
  let pod: TestPod;
  let off: TestPod;
  beforeAll(async () => {
    sim = await startSeededConnectWise();
    pod = await startTestPod({ config: testConfig({ OPERATOR_TOKEN: operatorToken }) });
    off = await startTestPod();
  });
  afterAll(async () => {
    await pod.close();
    await off.close();
    await sim.close();
  });

  const body = () => ({
    name: 'Acme MSP',
    site: new URL(sim.url).host,
    company: testApiMember.companyId,
    publicKey: testApiMember.publicKey,
    privateKey: testApiMember.privateKey,
    clientId: testClientId,
    apiUrl: sim.url,
    check: true,
  });

  it('is off without OPERATOR_TOKEN and refuses a wrong token', async () => {
    expect((await request(off.url).post('/api/v1/operator/tenants').send(body())).status).toBe(404);
    const wrong = await request(pod.url)
      .post('/api/v1/operator/tenants')
      .set('authorization', 'Bearer nope')
      .send(body());
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('operator_token_invalid');
  });

  it('adds a tenant after checking its keys with ConnectWise, and never echoes the private key', async () => {
    const res = await request(pod.url)
      .post('/api/v1/operator/tenants')
      .set('authorization', `Bearer ${operatorToken}`)
      .send(body());
    expect(res.status).toBe(201);
    expect(res.body.tenant).toMatchObject({ name: 'Acme MSP', companyId: testApiMember.companyId });
    expect(res.body.configure.callbackUrl).toContain(`/webhooks/connectwise/${res.body.tenant.id}`);
    expect(res.text).not.toContain(testApiMember.privateKey);
    const page = await request(pod.url).get('/healthz');
    expect(page.headers['content-security-policy']).toContain(`frame-ancestors ${sim.url}`);
    const list = await request(pod.url)
      .get('/api/v1/operator/tenants')
      .set('authorization', `Bearer ${operatorToken}`);
    expect(list.body.tenants).toEqual([expect.objectContaining({ id: res.body.tenant.id })]);
  });

  it('refuses a duplicate, bad input and keys ConnectWise rejects, each with what, why and how to fix', async () => {
    const auth = `Bearer ${operatorToken}`;
    const duplicate = await request(pod.url)
      .post('/api/v1/operator/tenants')
      .set('authorization', auth)
      .send(body());
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toMatchObject({
      code: 'duplicate_tenant',
      hint: expect.any(String),
      details: { why: expect.any(String) },
    });
    const invalid = await request(pod.url)
      .post('/api/v1/operator/tenants')
      .set('authorization', auth)
      .send({ ...body(), name: '' });
    expect(invalid.status).toBe(400);
    const badKeys = await request(pod.url)
      .post('/api/v1/operator/tenants')
      .set('authorization', auth)
      .send({ ...body(), company: testApiMember.companyId, site: 'other.example.com', privateKey: 'wrong' });
    expect(badKeys.status).toBe(422);
    expect(badKeys.body.error.code).toBe('check_failed');
  });
});
