import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCallback } from '../../sim/connectwise/index.js';
import type { CwSim } from '../support/cw-tenant.js';
import { startTwoTenantWorld, type TwoTenantWorld, worldSecrets } from '../support/two-tenants.js';

/** A server that counts every request it gets: no request may ever reach it. */
async function startTrap() {
  let hits = 0;
  const app = express().use((_req, res) => {
    hits += 1;
    res.json({ signing_key: 'attacker-key' });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('webhook forgeries', () => {
  let w: TwoTenantWorld;
  let trap: Awaited<ReturnType<typeof startTrap>>;
  let n = 0;
  beforeAll(async () => {
    [w, trap] = await Promise.all([startTwoTenantWorld(), startTrap()]);
  });
  afterAll(async () => {
    await trap?.close();
    await w?.close();
  });

  const keyUrlOf = (cw: CwSim, keyId: string) =>
    `${cw.url}/v4_6_release/apis/3.0/system/callbackkeys/${keyId}`;
  const callback = (keyUrl: string, messageId = `m-${++n}`, id = 9101) =>
    JSON.stringify({
      MessageId: messageId,
      FromUrl: 'x',
      CompanyId: 'ledgerpod',
      MemberId: 'x',
      Action: 'updated',
      Type: 'invoice',
      ID: id,
      Entity: '{}',
      Metadata: { key_url: keyUrl },
    });
  const deliver = async (tenantId: string, body: string, signature?: string) => {
    const res = await fetch(`${w.pod.url}/webhooks/connectwise/${tenantId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature === undefined ? {} : { 'x-content-signature': signature }),
      },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const eventsOf = async (tenantId: string) =>
    Number(
      (
        await sql<{
          n: string;
        }>`select ((select count(*) from webhook_events where tenant_id = ${tenantId}) + (select count(*) from connectwise_callback_inbox where tenant_id = ${tenantId}))::text as n`.execute(
          w.pod.database.db,
        )
      ).rows[0]!.n,
    );

  describe('ConnectWise callbacks', () => {
    beforeAll(() => {
      w.a.cw.sim.state.signingKeys.set('key-a', 'material-a');
      w.b.cw.sim.state.signingKeys.set('key-b', 'material-b');
    });

    it('accepts a genuine callback once; a replay (even with another body) is ignored', async () => {
      const body = callback(keyUrlOf(w.a.cw, 'key-a'), 'replay-1');
      expect(await deliver(w.a.tenant.id, body, signCallback(body, 'material-a'))).toMatchObject({
        status: 200,
        body: { status: 'accepted' },
      });
      expect(await deliver(w.a.tenant.id, body, signCallback(body, 'material-a'))).toMatchObject({
        status: 200,
        body: { status: 'ignored', reason: 'replay' },
      });
      const changed = callback(keyUrlOf(w.a.cw, 'key-a'), 'replay-1', 4242);
      expect((await deliver(w.a.tenant.id, changed, signCallback(changed, 'material-a'))).body).toEqual({
        status: 'ignored',
        reason: 'replay',
      });
    });

    type Forge = (body: string) => [string, string | undefined];
    it.each<[string, Forge]>([
      ['no signature', (body: string) => [body, undefined]],
      ['an empty signature', (body: string) => [body, '']],
      ['a signature with the wrong key', (body: string) => [body, signCallback(body, 'material-b')]],
      ['a signature over another body', (body: string) => [body, signCallback(`${body} `, 'material-a')]],
      [
        'a body changed after signing',
        (body: string) => [body.replace('"ID":9101', '"ID":9102'), signCallback(body, 'material-a')],
      ],
      ['a hex signature instead of base64', (body: string) => [body, 'ab'.repeat(32)]],
      ['a truncated signature', (body: string) => [body, signCallback(body, 'material-a').slice(0, -6)]],
    ])('refuses %s with 401 and records nothing', async (_name, make) => {
      const before = await eventsOf(w.a.tenant.id);
      const [body, signature] = make(callback(keyUrlOf(w.a.cw, 'key-a')));
      const res = await deliver(w.a.tenant.id, body, signature);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('callback_signature_invalid');
      expect(await eventsOf(w.a.tenant.id)).toBe(before);
    });

    it.each([
      ['another host', (port: number) => `http://localhost:${port}/key`],
      ['the loopback IP on another port', (port: number) => `http://127.0.0.1:${port}/key`],
      [
        'userinfo that looks like the tenant host',
        (port: number) => `http://127.0.0.1:${port}@127.0.0.1:${port}/k`,
      ],
      ['IPv6 loopback', (port: number) => `http://[::1]:${port}/key`],
      ['a file URL', () => 'file:///etc/passwd'],
      ['not a URL', () => 'definitely not a url'],
    ])('refuses a key_url on %s without making any request', async (_name, make) => {
      const body = callback(make(trap.port));
      const res = await deliver(w.a.tenant.id, body, signCallback(body, 'attacker-key'));
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('callback_untrusted_key_url');
      expect(trap.hits()).toBe(0);
    });

    it("refuses for tenant B a key_url on tenant A's ConnectWise, even once A's key is cached", async () => {
      // Not cached yet: the origin check refuses it.
      const fresh = callback(keyUrlOf(w.a.cw, 'key-a2'));
      w.a.cw.sim.state.signingKeys.set('key-a2', 'material-a2');
      expect((await deliver(w.b.tenant.id, fresh, signCallback(fresh, 'material-a2'))).status).toBe(401);
      // A genuine callback to A caches A's key by its URL...
      const forA = callback(keyUrlOf(w.a.cw, 'key-a2'));
      expect((await deliver(w.a.tenant.id, forA, signCallback(forA, 'material-a2'))).status).toBe(200);
    });

    // BUG: the signing-key cache in connectwise-webhook-routes.ts is keyed by key_url alone and is
    // read before fetchSigningKey's origin check. Once tenant A's key_url is cached (any genuine
    // callback to A), a callback POSTed to tenant B's endpoint naming A's key_url and signed with
    // A's key is accepted for B (200 accepted, a refresh job queued for B) instead of 401
    // callback_untrusted_key_url. Fix: key the cache by tenant id + key_url, or check the origin
    // before reading the cache.
    it('a cached key of tenant A never verifies a callback for tenant B', async () => {
      const forA = callback(keyUrlOf(w.a.cw, 'key-a'));
      expect((await deliver(w.a.tenant.id, forA, signCallback(forA, 'material-a'))).status).toBe(200);
      const before = await eventsOf(w.b.tenant.id);
      const forB = callback(keyUrlOf(w.a.cw, 'key-a'));
      const res = await deliver(w.b.tenant.id, forB, signCallback(forB, 'material-a'));
      expect(await eventsOf(w.b.tenant.id)).toBe(before);
      expect(res.status).toBe(401);
    });

    it('the same MessageId for two tenants is two messages, not a replay', async () => {
      const forA = callback(keyUrlOf(w.a.cw, 'key-a'), 'shared-id');
      const forB = callback(keyUrlOf(w.b.cw, 'key-b'), 'shared-id');
      expect((await deliver(w.a.tenant.id, forA, signCallback(forA, 'material-a'))).body.status).toBe(
        'accepted',
      );
      expect((await deliver(w.b.tenant.id, forB, signCallback(forB, 'material-b'))).body.status).toBe(
        'accepted',
      );
    });

    it('unknown tenant ids and malformed ids answer 404 in the envelope', async () => {
      for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' or '1'='1", '%00']) {
        const body = callback(keyUrlOf(w.a.cw, 'key-a'));
        const res = await deliver(encodeURIComponent(id), body, signCallback(body, 'material-a'));
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('not_found');
      }
    });
  });

  describe('QuickBooks Online and Xero webhooks', () => {
    const hmac = (body: string, secret: string) => createHmac('sha256', secret).update(body).digest('base64');
    const send = async (path: string, body: string, headers: Record<string, string>) => {
      const res = await fetch(`${w.pod.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      return { status: res.status, text: await res.text() };
    };
    const sweeps = async () =>
      Number(
        (
          await sql<{
            n: string;
          }>`select count(*)::text as n from pgboss.job where name like '%payment%'`.execute(
            w.pod.database.db,
          )
        ).rows[0]!.n,
      );
    const qboEvent = (id: string) =>
      JSON.stringify([
        {
          specversion: '1.0',
          id,
          source: 'intuit.com',
          type: 'qbo.payment.created.v1',
          time: new Date().toISOString(),
          intuitentityid: '77',
          intuitaccountid: w.qbo.externalId,
          data: {},
        },
      ]);

    it.each<[string, (body: string) => Record<string, string>]>([
      ['no signature', () => ({})],
      ['an empty signature', () => ({ 'intuit-signature': '' })],
      ['a signature with another secret', (b) => ({ 'intuit-signature': hmac(b, 'not-the-verifier') })],
      ['the Xero key’s signature', (b) => ({ 'intuit-signature': hmac(b, worldSecrets.xeroWebhookKey) })],
      [
        'a signature over another body',
        (b) => ({ 'intuit-signature': hmac(`${b} `, worldSecrets.qboWebhookVerifier) }),
      ],
      [
        'a truncated signature',
        (b) => ({ 'intuit-signature': hmac(b, worldSecrets.qboWebhookVerifier).slice(0, -6) }),
      ],
      [
        'the signature in x-xero-signature',
        (b) => ({ 'x-xero-signature': hmac(b, worldSecrets.qboWebhookVerifier) }),
      ],
    ])('QBO: %s is 401 in the envelope and queues nothing', async (_name, headers) => {
      const before = await sweeps();
      const body = qboEvent(`forged-${++n}`);
      const res = await send('/webhooks/qbo', body, headers(body));
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text).error.code).toBe('webhook_signature_invalid');
      expect(await sweeps()).toBe(before);
    });

    it('QBO: a genuine event is accepted and sweeps B’s connection; its replay is accepted but sweeps nothing new', async () => {
      const body = qboEvent(`genuine-${++n}`);
      const signature = { 'intuit-signature': hmac(body, worldSecrets.qboWebhookVerifier) };
      const before = await sweeps();
      const first = await send('/webhooks/qbo', body, signature);
      expect(first.status).toBe(200);
      const afterFirst = await sweeps();
      expect(afterFirst).toBeGreaterThan(before);
      const replay = await send('/webhooks/qbo', body, signature);
      expect(replay.status).toBe(200);
      expect(await sweeps()).toBe(afterFirst);
    });

    it('QBO: a signed payload that is not a QuickBooks webhook is 400 in the envelope', async () => {
      const body = JSON.stringify({ hello: 'world' });
      const res = await send('/webhooks/qbo', body, {
        'intuit-signature': hmac(body, worldSecrets.qboWebhookVerifier),
      });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).error.code).toBe('invalid_webhook');
    });

    const xeroBody = (entropy: string) =>
      JSON.stringify({
        events: [
          {
            resourceUrl: 'https://api.xero.com/api.xro/2.0/Invoices/1',
            resourceId: `inv-${entropy}`,
            eventDateUtc: new Date().toISOString(),
            eventType: 'UPDATE',
            eventCategory: 'INVOICE',
            tenantId: w.xero.externalId,
            tenantType: 'ORGANISATION',
          },
        ],
        firstEventSequence: 1,
        lastEventSequence: 1,
        entropy,
      });

    it('Xero intent to receive: a good signature is 200 with an empty body', async () => {
      const body = JSON.stringify({
        events: [],
        firstEventSequence: 0,
        lastEventSequence: 0,
        entropy: 'ABC',
      });
      const res = await send('/webhooks/xero', body, {
        'x-xero-signature': hmac(body, worldSecrets.xeroWebhookKey),
      });
      expect(res).toEqual({ status: 200, text: '' });
    });

    it.each<[string, (body: string) => Record<string, string>]>([
      ['no signature', () => ({})],
      ['a signature with another key', (b) => ({ 'x-xero-signature': hmac(b, 'not-the-key') })],
      [
        'the QBO verifier’s signature',
        (b) => ({ 'x-xero-signature': hmac(b, worldSecrets.qboWebhookVerifier) }),
      ],
      [
        'a signature over another body',
        (b) => ({ 'x-xero-signature': hmac(`${b} `, worldSecrets.xeroWebhookKey) }),
      ],
      [
        'the signature in intuit-signature',
        (b) => ({ 'intuit-signature': hmac(b, worldSecrets.xeroWebhookKey) }),
      ],
    ])('Xero: %s is 401 with an empty body and queues nothing', async (_name, headers) => {
      const before = await sweeps();
      const body = xeroBody(`forged-${++n}`);
      const res = await send('/webhooks/xero', body, headers(body));
      expect(res).toEqual({ status: 401, text: '' });
      expect(await sweeps()).toBe(before);
    });

    // MINOR BUG: express.json parses before the Xero route checks the signature, so an unsigned
    // delivery whose body is not JSON gets 400 with the JSON envelope, not Xero's 401 with an empty
    // body. (Xero itself always sends JSON, so intent to receive passes; a stricter route would
    // read the raw body itself.)
    it('Xero: a wrongly signed delivery with a body that is not JSON is still 401 with an empty body', async () => {
      const res = await send('/webhooks/xero', '{not json', { 'x-xero-signature': 'AAAA' });
      expect(res).toEqual({ status: 401, text: '' });
    });
  });
});
