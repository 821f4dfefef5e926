import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../server/db/schema.js';
import { buildInvoiceWithGl, signCallback } from '../../sim/connectwise/index.js';
import { addSimTenant, type CwSim, startSeededConnectWise } from '../support/cw-tenant.js';
import { startTestPod, type TestPod } from '../support/test-pod.js';

const queued = async (pod: TestPod) =>
  (
    await sql<{
      data: { cwId: number; syncIfClosed: boolean };
    }>`select data from pgboss.job where name = 'record-refresh'`.execute(pod.database.db)
  ).rows.map((r) => r.data);

describe('ConnectWise callbacks in', () => {
  let sim: CwSim;
  let pod: TestPod;
  let tenant: Tenant;
  const invoice = buildInvoiceWithGl({
    id: 9101,
    number: 'INV-9101',
    closed: false,
    lines: [{ description: 'Work', quantity: 1, unitPrice: 100 }],
  });

  beforeAll(async () => {
    sim = await startSeededConnectWise({
      invoices: [invoice.invoice],
      glTransactions: [invoice.glTransaction],
    });
    pod = await startTestPod({ config: undefined });
    tenant = await addSimTenant(pod, sim);
    await pod.services.tenants.updateSettings(tenant.id, { syncOnClose: true });
    await pod.services.connectWise.for(tenant).registerCallback({
      description: 'Ledgerpod',
      url: `${pod.url}/webhooks/connectwise/${tenant.id}`,
      objectId: 0,
      type: 'invoice',
      level: 'owner',
    });
  });
  afterAll(async () => {
    await pod.close();
    await sim.close();
  });

  it('accepts a signed callback from ConnectWise and queues a refresh with sync on close', async () => {
    await fetch(`${sim.url}/__sim/invoices/${invoice.invoice.id}/close`, { method: 'POST' });
    await expect
      .poll(() => queued(pod), { timeout: 10_000 })
      .toEqual([expect.objectContaining({ cwId: 9101, syncIfClosed: true })]);
    const deliveries = (await (await fetch(`${sim.url}/__sim/state`)).json()).callbacks;
    expect(JSON.stringify(deliveries)).toContain('"status":200');
  });

  async function signedBody(messageId: string) {
    const keyId = 'test-key';
    sim.sim.state.signingKeys.set(keyId, 'k3y-material');
    const body = JSON.stringify({
      MessageId: messageId,
      FromUrl: new URL(sim.url).host,
      CompanyId: 'ledgerpod',
      MemberId: 'x',
      Action: 'updated',
      Type: 'invoice',
      ID: 9101,
      Entity: '{}',
      Metadata: { key_url: `${sim.url}/v4_6_release/apis/3.0/system/callbackkeys/${keyId}` },
    });
    return { body, signature: signCallback(body, 'k3y-material') };
  }

  const deliver = (body: string, signature: string) =>
    request(pod.url)
      .post(`/webhooks/connectwise/${tenant.id}`)
      .set('content-type', 'application/json')
      .set('x-content-signature', signature)
      .send(body);

  it('refuses a forged signature', async () => {
    const { body } = await signedBody('forged-1');
    const res = await deliver(body, signCallback(body, 'not-the-key'));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('callback_signature_invalid');
  });

  it('ignores a replay of the same message', async () => {
    const { body, signature } = await signedBody('message-42');
    const first = await deliver(body, signature);
    expect(first.body).toEqual({ status: 'accepted' });
    const again = await deliver(body, signature);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ status: 'ignored', reason: 'replay' });
  });

  it('refuses a key_url on a foreign host without making any request to it', async () => {
    let trapped = 0;
    const trap = express().use((_req, res) => {
      trapped += 1;
      res.json({ signing_key: 'attacker-key' });
    });
    const server: Server = await new Promise((resolve) => {
      const s = trap.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const port = (server.address() as AddressInfo).port;
      const body = JSON.stringify({
        MessageId: 'ssrf-1',
        Action: 'updated',
        Type: 'invoice',
        ID: 9101,
        Entity: '{}',
        Metadata: { key_url: `http://127.0.0.1:${port}/key` },
      });
      const res = await deliver(body, signCallback(body, 'attacker-key'));
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('callback_untrusted_key_url');
      expect(trapped).toBe(0);
    } finally {
      server.close();
    }
  });

  it('answers 404 for an unknown tenant and 400 for a body that is not a callback', async () => {
    expect(
      (await request(pod.url).post('/webhooks/connectwise/00000000-0000-4000-8000-000000000000').send({}))
        .status,
    ).toBe(404);
    const res = await request(pod.url).post(`/webhooks/connectwise/${tenant.id}`).send({ hello: 'world' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_callback');
  });
});
