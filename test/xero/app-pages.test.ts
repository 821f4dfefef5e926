import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer, invoiceDoc, startXeroFixture } from './support/xero-fixture.js';

let fx: Awaited<ReturnType<typeof startXeroFixture>>;
let contactId: string;
let receiver: Server;
const received: { events: { resourceId: string; eventType: string }[] }[] = [];

beforeAll(async () => {
  fx = await startXeroFixture();
  contactId = await fx.ledger.ensureParty(customer(), 'c');
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const signed = createHmac('sha256', 'key').update(raw).digest('base64');
      if (signed === req.headers['x-xero-signature']) received.push(JSON.parse(raw.toString()));
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  await fx.control('/__sim/webhooks', { url, key: 'key' });
});
afterAll(async () => {
  await fx.close();
  await new Promise((resolve) => receiver.close(resolve));
});

const get = async (path: string) => {
  const res = await fetch(`${fx.url}${path}`);
  return { status: res.status, html: await res.text() };
};
const postForm = (path: string, fields: Record<string, string>) =>
  fetch(`${fx.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
const invoiceIn = (id: string) => fx.books().Invoices.find((i) => i.InvoiceID === id)!;
const view = (id: string) => `/AccountsReceivable/View.aspx?InvoiceID=${id}`;

describe('the simulated Xero invoice page', () => {
  it('shows the invoice as a person sees it: contact, number, dates, lines, total, amount due, a payment form', async () => {
    const ref = await fx.ledger.create(invoiceDoc({ number: 'AP-2001' }), contactId, 'i-1');
    // The product's own link leads here.
    expect(ref.url).toBe(`https://go.xero.com${view(ref.id)}`);
    const { status, html } = await get(view(ref.id));
    expect(status).toBe(200);
    expect(html).toContain('Xero (simulated)');
    expect(html).toContain('Invoice AP-2001');
    expect(html).toContain('Fabrikam &quot;North&quot; Ltd'); // the ledger straightens the quotes
    expect(html).toContain('2024-03-11');
    expect(html).toContain('2024-04-10');
    expect(html).toContain('Labor');
    expect(html).toMatch(/data-testid="total">308.00</);
    expect(html).toMatch(/data-testid="balance">308.00</);
    expect(html).toMatch(/data-testid="status">Awaiting Payment</);
    expect(html).toMatch(/<input name="amount"[^>]*value="308.00"/);
    expect(html).toContain('data-testid="no-payments"');
  });

  it('adding a payment with the form moves the amount due, announces the invoice and redirects back', async () => {
    const ref = await fx.ledger.create(invoiceDoc({ number: 'AP-2002' }), contactId, 'i-2');
    received.length = 0;
    const res = await postForm(view(ref.id), { amount: '100', date: '2024-03-20' });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toBe(`${view(ref.id)}&added=100`);
    expect(invoiceIn(ref.id)).toMatchObject({ AmountDue: 208, AmountPaid: 100, Status: 'AUTHORISED' });
    // The same path as POST /__sim/tenants/:t/payments: a Payment in the books and an INVOICE UPDATE event.
    expect(
      fx.books().Payments.filter((p) => (p.Invoice as { InvoiceID: string }).InvoiceID === ref.id),
    ).toHaveLength(1);
    await fx.sim.webhooks.settled();
    expect(received.flatMap((b) => b.events)).toContainEqual(
      expect.objectContaining({ resourceId: ref.id, eventType: 'UPDATE' }),
    );
    expect((await fx.ledger.get('invoice', ref.id)).balanceMinor).toBe(20800n);

    const after = await get(location);
    expect(after.html).toContain('Payment of 100 added.');
    expect(after.html).toMatch(/data-testid="balance">208.00</);
    expect(after.html).toContain('2024-03-20');

    expect((await postForm(view(ref.id), { amount: '208.00', date: '' })).status).toBe(303);
    expect(invoiceIn(ref.id)).toMatchObject({ AmountDue: 0, Status: 'PAID' });
    const paid = await get(view(ref.id));
    expect(paid.html).toMatch(/data-testid="status">Paid</);
    expect(paid.html).not.toContain('<form');
  });

  it('refuses an overpayment with Xero’s message and changes nothing', async () => {
    const ref = await fx.ledger.create(invoiceDoc({ number: 'AP-2003' }), contactId, 'i-3');
    const res = await postForm(view(ref.id), { amount: '1000', date: '' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Payment amount exceeds the amount outstanding on this document');
    const bad = await postForm(view(ref.id), { amount: 'lots', date: '' });
    expect(bad.status).toBe(400);
    expect(invoiceIn(ref.id).AmountDue).toBe(308);
  });

  it('escapes everything it shows, and answers 404 for an unknown invoice', async () => {
    const evil = await fx.ledger.ensureParty(
      customer({ cwId: '666', accountNumber: 'CW-666', name: '<script>alert(1)</script> & Co' }),
      'c-evil',
    );
    const ref = await fx.ledger.create(
      invoiceDoc({
        number: 'AP"<b>',
        lines: [{ ...invoiceDoc().lines[0]!, description: '<img src=x onerror=alert(1)>' }],
        party: customer({ cwId: '666', accountNumber: 'CW-666', name: '<script>alert(1)</script> & Co' }),
        taxMinor: 3000n,
        totalMinor: 33000n,
      }),
      evil,
      'i-evil',
    );
    const { html } = await get(view(ref.id));
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const missing = await get('/AccountsReceivable/View.aspx?InvoiceID=%3Cb%3Enope');
    expect(missing.status).toBe(404);
    expect(missing.html).toContain('&lt;b&gt;nope');
  });
});
