import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer, invoiceDoc, startXeroFixture } from './support/xero-fixture.js';

const KEY = 'webhook-key-from-the-xero-app';
let fx: Awaited<ReturnType<typeof startXeroFixture>>;
let receiver: Server;
const received: unknown[] = [];

/** A receiver that does what Xero asks: 200 with an empty body when signed right, else 401. */
function startReceiver(): Promise<string> {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const expected = createHmac('sha256', KEY).update(raw).digest();
      const given = Buffer.from(String(req.headers['x-xero-signature'] ?? ''), 'base64');
      const ok = given.length === expected.length && timingSafeEqual(given, expected);
      if (ok) received.push(JSON.parse(raw.toString()));
      res.writeHead(ok ? 200 : 401).end();
    });
  });
  return new Promise((resolve) =>
    receiver.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`),
    ),
  );
}

beforeAll(async () => {
  fx = await startXeroFixture();
  await fx.control('/__sim/webhooks', { url: await startReceiver(), key: KEY });
});
afterAll(async () => {
  await fx.close();
  await new Promise((resolve) => receiver.close(resolve));
});

describe('Xero webhooks from the simulator', () => {
  it('intent to receive: one good and one bad signature, answered 200-empty and 401', async () => {
    const { body } = await fx.control('/__sim/webhooks/intent-to-receive');
    expect(body).toEqual({
      validSignatureAnswered200Empty: true,
      badSignatureAnswered401: true,
      passed: true,
    });
  });

  it('an invoice created through the ledger is announced, signed, as an INVOICE CREATE event', async () => {
    received.length = 0;
    const contactId = await fx.ledger.ensureParty(customer(), 'c');
    const ref = await fx.ledger.create(invoiceDoc(), contactId, 'i');
    await fx.sim.webhooks.settled();
    const events = received.flatMap((batch) => (batch as { events: Record<string, unknown>[] }).events);
    expect(events).toContainEqual(
      expect.objectContaining({
        resourceId: ref.id,
        eventCategory: 'INVOICE',
        eventType: 'CREATE',
        tenantType: 'ORGANISATION',
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ eventCategory: 'CONTACT', resourceId: contactId }),
    );
  });
});
