import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoiceDoc, startHarness } from './harness.js';

let h: Awaited<ReturnType<typeof startHarness>>;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const get = async (path: string) => {
  const res = await fetch(`${h.url}${path}`);
  return { status: res.status, html: await res.text() };
};
const postForm = (path: string, fields: Record<string, string>) =>
  fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
const balanceOf = async (id: string) => {
  const state = await h.state();
  return state.realms[h.realmId].Invoice.find((i: { Id: string }) => i.Id === id).Balance as number;
};

describe('the simulated QuickBooks Online invoice page', () => {
  it('shows the invoice as a person sees it: customer, number, date, lines, total, balance, a payment form', async () => {
    const created = await h.ledger.create(invoiceDoc({ number: 'AP-1001' }), '100', 'ap-1');
    const { status, html } = await get(`/app/invoice?txnId=${created.id}`);
    expect(status).toBe(200);
    expect(html).toContain('QuickBooks Online (simulated)');
    expect(html).toContain('Invoice AP-1001');
    expect(html).toContain('Acme Corp');
    expect(html).toContain('2024-05-01');
    expect(html).toContain('Managed services May');
    expect(html).toContain('98.24 USD'); // total and balance
    expect(html).toMatch(/data-testid="status">Open</);
    expect(html).toMatch(/<input name="amount"[^>]*value="98.24"/);
    expect(html).toContain('data-testid="no-payments"');
  });

  it('receiving a payment with the form moves the balance, lists the payment and redirects back', async () => {
    const created = await h.ledger.create(invoiceDoc({ number: 'AP-1002' }), '100', 'ap-2');
    const res = await postForm(`/app/invoice?txnId=${created.id}`, { amount: '40.00', date: '2024-06-03' });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toContain(`/app/invoice?txnId=${created.id}&realmId=${h.realmId}`);
    expect(await balanceOf(created.id)).toBe(58.24);

    const after = await get(location);
    expect(after.html).toContain('Payment of 40.00 received.');
    expect(after.html).toMatch(/data-testid="status">Partial</);
    expect(after.html).toMatch(/data-testid="balance">58.24 USD</);
    expect(after.html).toContain('2024-06-03');
    expect(after.html).toMatch(/<input name="amount"[^>]*value="58.24"/);

    // The same path as POST /__sim/realms/:realm/payments: a real Payment, readable through the API.
    const state = await h.state();
    const payment = state.realms[h.realmId].Payment.find(
      (p: { Line: { LinkedTxn: { TxnId: string }[] }[] }) => p.Line[0]!.LinkedTxn[0]!.TxnId === created.id,
    );
    expect(payment).toMatchObject({ TotalAmt: 40, TxnDate: '2024-06-03', CustomerRef: { value: '100' } });

    expect((await postForm(location, { amount: '58.24', date: '' })).status).toBe(303);
    expect(await balanceOf(created.id)).toBe(0);
    const paid = await get(location);
    expect(paid.html).toMatch(/data-testid="status">Paid</);
    expect(paid.html).not.toContain('<form');
  });

  it('refuses an overpayment or a bad amount with QuickBooks’ message, and changes nothing', async () => {
    const created = await h.ledger.create(invoiceDoc({ number: 'AP-1003' }), '100', 'ap-3');
    const over = await postForm(`/app/invoice?txnId=${created.id}`, { amount: '500', date: '' });
    expect(over.status).toBe(400);
    expect(await over.text()).toContain('exceeds the open balance of Invoice AP-1003');
    const bad = await postForm(`/app/invoice?txnId=${created.id}`, { amount: '-1', date: '' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Enter an amount greater than zero.');
    expect(await balanceOf(created.id)).toBe(98.24);
  });

  it('escapes everything it shows', async () => {
    await h.control('POST', '/__sim/seed', {
      realms: {
        [h.realmId]: { Customer: [{ Id: '101', DisplayName: 'Evil <script>alert(1)</script> & Co' }] },
      },
    });
    const created = await h.ledger.create(
      invoiceDoc({
        number: 'AP"<b>',
        party: { kind: 'customer', cwId: '8', accountNumber: undefined, name: 'x', email: undefined },
        lines: [{ ...invoiceDoc().lines[0]!, description: '<img src=x onerror=alert(1)>' }],
        taxMinor: 825n,
        totalMinor: 10824n,
      }),
      '101',
      'ap-4',
    );
    const { html } = await get(`/app/invoice?txnId=${created.id}`);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('AP"<b>');
    expect(html).toContain('Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect((await get('/app/invoice?txnId=%3Cscript%3E')).html).toContain('&lt;script&gt;');
  });

  it('answers 404 for an unknown transaction', async () => {
    const { status, html } = await get('/app/invoice?txnId=999999');
    expect(status).toBe(404);
    expect(html).toContain('No invoice with transaction id 999999');
  });

  it('a credit memo page shows the remaining credit and applies it to an open invoice', async () => {
    const invoice = await h.ledger.create(invoiceDoc({ number: 'AP-1005' }), '100', 'ap-5');
    const credit = await h.ledger.create(
      invoiceDoc({ type: 'credit_memo', number: 'CM-1005' }),
      '100',
      'ap-cm-5',
    );
    const { status, html } = await get(`/app/creditmemo?txnId=${credit.id}`);
    expect(status).toBe(200);
    expect(html).toContain('Credit memo CM-1005');
    expect(html).toMatch(/Remaining credit <b data-testid="balance">98.24 USD</);
    expect(html).toContain(`<option value="${invoice.id}">AP-1005`);
    const res = await postForm(`/app/creditmemo?txnId=${credit.id}`, { invoiceId: invoice.id, amount: '10' });
    expect(res.status).toBe(303);
    expect(await balanceOf(invoice.id)).toBe(88.24);
    const after = await get(res.headers.get('location')!);
    expect(after.html).toMatch(/Remaining credit <b data-testid="balance">88.24 USD</);
    expect(after.html).toContain(`Applied to invoice ${invoice.id}`);
  });
});
