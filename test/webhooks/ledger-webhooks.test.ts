import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, post } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

const sign = (body: string, secret: string) => createHmac('sha256', secret).update(body).digest('base64');

describe('QuickBooks webhooks', () => {
  let world: PipelineWorld;
  let ledgerId: string;
  beforeAll(async () => {
    world = await startPipelineWorld('qbo', { env: { QBO_WEBHOOK_VERIFIER: 'qbo-verifier-token' } });
    await world.seedInvoices([invoice(9501, 'WH-9501')]);
    await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/records/invoice/9501/sync');
    ledgerId = (await world.waitForState(9501, ['synced'])).ledger!.id;
    await post(world.ledgerSim.url, '/__sim/webhooks', {
      url: `${world.pod.url}/webhooks/qbo`,
      verifierToken: 'qbo-verifier-token',
    });
  });
  afterAll(() => world.close());

  it('a payment made in QuickBooks reaches ConnectWise through the signed webhook, without waiting for a sweep', async () => {
    await world.ledgerSim.recordPayment(ledgerId, '1658.93');
    const view = await world.waitFor(
      9501,
      (v) => v.state === 'paid' && v.payments.some((p: { state: string }) => p.state === 'written'),
      'paid with its payment written',
      20_000,
    );
    expect(view.payments).toEqual([expect.objectContaining({ amount: '1658.93', state: 'written' })]);
  });

  const deliver = (body: string, signature: string, type = 'application/cloudevents-batch+json') =>
    fetch(`${world.pod.url}/webhooks/qbo`, {
      method: 'POST',
      headers: { 'content-type': type, 'intuit-signature': signature },
      body,
    });

  it('refuses a forged signature', async () => {
    const body = JSON.stringify([
      {
        specversion: '1.0',
        id: 'e-1',
        type: 'qbo.payment.created.v1',
        intuitaccountid: world.ledgerSim.externalId,
      },
    ]);
    const res = await deliver(body, sign(body, 'not-the-token'));
    expect(res.status).toBe(401);
    expect((await res.json()).error!.code).toBe('webhook_signature_invalid');
  });

  it('accepts the legacy payload and ignores a replayed event', async () => {
    const body = JSON.stringify({
      eventNotifications: [
        {
          realmId: world.ledgerSim.externalId,
          dataChangeEvent: {
            entities: [
              { name: 'Payment', id: '77', operation: 'Create', lastUpdated: '2026-11-21T10:00:00Z' },
            ],
          },
        },
      ],
    });
    expect((await deliver(body, sign(body, 'qbo-verifier-token'), 'application/json')).status).toBe(200);
    expect((await deliver(body, sign(body, 'qbo-verifier-token'), 'application/json')).status).toBe(200);
    const rows = await sql<{
      n: string;
    }>`select count(*)::text as n from webhook_events where provider = 'qbo' and event_id like '%:Payment:77:%'`.execute(
      world.pod.database.db,
    );
    expect(rows.rows[0]!.n).toBe('1');
  });

  it('one bad event in a batch does not refuse the others (CloudEvents and legacy)', async () => {
    const realm = world.ledgerSim.externalId;
    const cloud = JSON.stringify([
      { specversion: '1.0', id: 'e-bad', type: 'qbo.payment.created.v1' },
      { specversion: '1.0', id: 'e-good', type: 'qbo.payment.created.v1', intuitaccountid: realm },
    ]);
    const res = await deliver(cloud, sign(cloud, 'qbo-verifier-token'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'accepted', events: 1, skipped: 1 });
    const legacy = JSON.stringify({
      eventNotifications: [
        { realmId: realm, dataChangeEvent: { entities: [{ name: 'Payment', operation: 'Create' }] } },
        {
          realmId: realm,
          dataChangeEvent: {
            entities: [{ name: 'Payment', id: '78', operation: 'Create', lastUpdated: 'x' }],
          },
        },
        { dataChangeEvent: { entities: [] } },
      ],
    });
    const res2 = await deliver(legacy, sign(legacy, 'qbo-verifier-token'), 'application/json');
    expect(res2.status).toBe(200);
    expect(await res2.json()).toEqual({ status: 'accepted', events: 1, skipped: 2 });
    const rows = await sql<{
      id: string;
    }>`select event_id as id from webhook_events where provider = 'qbo' and (event_id = 'e-good' or event_id like '%:Payment:78:%')`.execute(
      world.pod.database.db,
    );
    expect(rows.rows).toHaveLength(2);
    const junk = JSON.stringify({ hello: 'world' });
    expect((await deliver(junk, sign(junk, 'qbo-verifier-token'), 'application/json')).status).toBe(400);
  });
});

describe('Xero webhooks', () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld('xero', { env: { XERO_WEBHOOK_KEY: 'xero-webhook-key' } });
    await post(world.ledgerSim.url, '/__sim/webhooks', {
      url: `${world.pod.url}/webhooks/xero`,
      key: 'xero-webhook-key',
    });
  });
  afterAll(() => world.close());

  it('passes the intent-to-receive check: 200 empty for a good signature, 401 for a bad one', async () => {
    const result = (await post(world.ledgerSim.url, '/__sim/webhooks/intent-to-receive', {})) as {
      passed: boolean;
    };
    expect(result).toMatchObject({
      validSignatureAnswered200Empty: true,
      badSignatureAnswered401: true,
      passed: true,
    });
  });

  it("an invoice event from Xero has that invoice's payments read", async () => {
    await world.seedInvoices([invoice(9502, 'WH-9502')]);
    await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/records/invoice/9502/sync');
    const ledgerId = (await world.waitForState(9502, ['synced'])).ledger!.id;
    await world.ledgerSim.recordPayment(ledgerId, '500.00');
    const body = JSON.stringify({
      events: [
        {
          resourceId: ledgerId,
          eventCategory: 'INVOICE',
          eventType: 'UPDATE',
          tenantId: world.ledgerSim.externalId,
          eventDateUtc: new Date().toISOString(),
        },
      ],
      firstEventSequence: 1,
      lastEventSequence: 1,
      entropy: 'abc',
    });
    const res = await fetch(`${world.pod.url}/webhooks/xero`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-xero-signature': sign(body, 'xero-webhook-key') },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const view = await world.waitFor(
      9502,
      (v) => v.state === 'partly_paid' && v.payments.some((p: { state: string }) => p.state === 'written'),
      'partly paid with its payment written',
      // A busy machine's ledger timeout retries the read with backoff (3 s, 6 s, ...).
      60_000,
    );
    expect(view.payments).toEqual([expect.objectContaining({ amount: '500.00', state: 'written' })]);
  });
});
