import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { invoiceDoc, startHarness } from './harness.js';

let h: Awaited<ReturnType<typeof startHarness>>;
let token: string;
beforeAll(async () => {
  h = await startHarness();
  token = (await h.control('POST', '/__sim/oauth/tokens', { realmId: h.realmId })).access_token;
});
afterAll(() => h.close());

const api = (path: string, body?: unknown) =>
  fetch(`${h.url}/v3/company/${h.realmId}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

it('batch: faults inside a 200 beside successes; more than 30 items is refused', async () => {
  const res = await api('/batch', {
    BatchItemRequest: [
      { bId: '1', operation: 'create', Customer: { DisplayName: 'Batch Co' } },
      { bId: '2', operation: 'create', Customer: { DisplayName: 'Bad: Name' } },
      { bId: '3', Query: "select * from Customer where DisplayName = 'Batch Co'" },
    ],
  });
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body.BatchItemResponse[0].Customer.DisplayName).toBe('Batch Co');
  expect(body.BatchItemResponse[1].Fault.Error[0].code).toBe('6000');
  expect(body.BatchItemResponse[2].QueryResponse.Customer).toHaveLength(1);
  const tooMany = await api('/batch', {
    BatchItemRequest: Array.from({ length: 31 }, (_, i) => ({ bId: String(i), Query: 'select * from Item' })),
  });
  expect(tooMany.status).toBe(400);
});

it('webhooks: signed CloudEvents on invoice and payment changes; CDC shows deletions', async () => {
  const received: { body: string; signature: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ body, signature: String(req.headers['intuit-signature']) });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    await h.control('POST', '/__sim/webhooks', { url, verifierToken: 'verifier' });
    const since = new Date(Date.now() - 1000).toISOString();
    const invoice = await h.ledger.create(invoiceDoc({ number: 'WH-1' }), '100', 'wh-1');
    const paid = await h.control('POST', `/__sim/realms/${h.realmId}/payments`, {
      invoiceId: invoice.id,
      amount: 5,
    });
    await h.control('DELETE', `/__sim/realms/${h.realmId}/payments/${paid.Payment.Id}`);
    await expect.poll(() => received.some((r) => r.body.includes('qbo.payment.deleted.v1'))).toBe(true);
    for (const { body, signature } of received)
      expect(signature).toBe(createHmac('sha256', 'verifier').update(body).digest('base64'));
    const types = received.map((r) => JSON.parse(r.body)[0].type);
    expect(types).toEqual(
      expect.arrayContaining(['qbo.invoice.created.v1', 'qbo.payment.created.v1', 'qbo.payment.deleted.v1']),
    );

    const cdc = await (
      await api(`/cdc?entities=Invoice,Payment&changedSince=${encodeURIComponent(since)}`)
    ).json();
    const [invoices, payments] = cdc.CDCResponse[0].QueryResponse;
    expect(invoices.Invoice.map((i: { Id: string }) => i.Id)).toContain(invoice.id);
    expect(payments.Payment).toContainEqual(
      expect.objectContaining({ Id: paid.Payment.Id, status: 'Deleted' }),
    );
  } finally {
    server.close();
  }
});

it('refuses unbalanced journals and Qty x UnitPrice that does not give Amount (6000)', async () => {
  const journal = await api('/journalentry', {
    Line: [
      {
        Amount: 10,
        DetailType: 'JournalEntryLineDetail',
        JournalEntryLineDetail: { PostingType: 'Debit', AccountRef: { value: '1' } },
      },
      {
        Amount: 9,
        DetailType: 'JournalEntryLineDetail',
        JournalEntryLineDetail: { PostingType: 'Credit', AccountRef: { value: '6' } },
      },
    ],
  });
  expect(journal.status).toBe(400);
  expect((await journal.json()).Fault.Error[0].code).toBe('6000');
  const invoice = await api('/invoice', {
    CustomerRef: { value: '100' },
    Line: [
      { Amount: 10, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { Qty: 3, UnitPrice: 3.33 } },
    ],
  });
  expect((await invoice.json()).Fault.Error[0].Detail).toMatch(/UnitPrice \* Qty/);
});
