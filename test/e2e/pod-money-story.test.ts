import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshRecord } from '../../server/pipeline/refresh-record.js';
import { screenshot } from '../support/browser.js';
import { api, post } from '../support/cw-tenant.js';
import { invoice } from '../support/pipeline-world.js';
import { eventually, podFrame, type RealPod, startRealPod, stateOf } from './helpers/real-pod.js';

/**
 * Issue 14 item 4 in the browser: the invoice pod tells the money story. The real product (database,
 * workers, ConnectWise and QuickBooks simulators over HTTP, real SDKs) and its real bundle in real
 * Chromium on the simulated ConnectWise invoice screen.
 */
const [invoiceId, creditId, paidId] = [9401, 9402, 9403];
let pod: RealPod;

const creditMemo = (id: number, number: string) =>
  invoice(id, number, {
    type: 'CreditMemo',
    lines: [{ description: 'Service credit', quantity: 1, unitPrice: 100, accountNumber: '4000' }],
  });

beforeAll(async () => {
  pod = await startRealPod({ kind: 'qbo' });
  const { world } = pod;
  await world.seedInvoices([
    invoice(invoiceId, 'INV-9401'),
    creditMemo(creditId, 'CM-9402'),
    invoice(paidId, 'INV-9403'),
  ]);
  for (const [type, cwId] of [
    ['invoice', invoiceId],
    ['credit_memo', creditId],
    ['invoice', paidId],
  ] as const) {
    await world.pushRecord(type, cwId);
    await world.waitForRecord(type, cwId, ['synced']);
  }
  // The credit memo applied to the invoice in ConnectWise; the product's refreshes of both (what
  // CW's callbacks for them queue) make the same application in QuickBooks and read CW's balances.
  await post(world.cw.url, `/__sim/invoices/${invoiceId}/apply-credit`, {
    creditMemoId: creditId,
    date: '2024-05-20',
  });
  for (const [type, cwId] of [
    ['credit_memo', creditId],
    ['invoice', invoiceId],
  ] as const)
    await refreshRecord(world.workerDeps(), {
      tenantId: world.tenant.id,
      type,
      cwId,
      reason: 'manual',
      syncIfClosed: false,
    });
  await world.waitForRecord('credit_memo', creditId, ['paid']);
  // A payment of 500 received in QuickBooks, brought back to ConnectWise by the payment sync.
  const paid = (await world.record(paidId)).body;
  await world.ledgerSim.recordPayment(paid.ledger.id, '500.00');
  expect((await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/payments/sync', {})).status).toBe(
    202,
  );
  await world.waitFor(
    paidId,
    (view) => view.payments.some((p: { state: string }) => p.state === 'written'),
    'the payment written to ConnectWise',
  );
});

afterAll(async () => {
  await pod?.close();
});

const texts = (locator: ReturnType<ReturnType<typeof podFrame>['getByTestId']>) => locator.allTextContents();

describe('the money story in the invoice pod', () => {
  it('a credit applied in the books shows as such on the invoice: which credit memo, date, amount, from where', async () => {
    const page = await pod.open(`/invoices/${invoiceId}`, 'viewer');
    const frame = podFrame(page);
    await eventually(() => stateOf(frame)).toBe('partly_paid');
    const credits = frame.getByTestId('credit');
    await eventually(() => credits.count()).toBe(1);
    const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(
      new Date(Date.UTC(2024, 4, 20)),
    );
    expect(await texts(credits)).toEqual([
      `Credit memo CM-9402 $108.25 ${date} applied in QuickBooksApplied in ConnectWise`,
    ]);
    // 1658.93 less the credit's 108.25 on both sides.
    expect(await frame.getByTestId('amount-balance').textContent()).toBe('Balance$1,550.68$1,550.68');
    await screenshot(page, 'pod-invoice-credit-applied');
    await page.close();
  });

  it('the credit memo shows the invoice it was applied to, with its amounts signed as ConnectWise shows them', async () => {
    const page = await pod.open(`/invoices/${creditId}`, 'viewer');
    const frame = podFrame(page);
    await eventually(() => stateOf(frame)).toBe('paid');
    expect(await frame.locator('.record-number').textContent()).toBe('CM-9402');
    const credits = frame.getByTestId('credit');
    await eventually(() => credits.count()).toBe(1);
    expect(await credits.first().textContent()).toMatch(
      /^Applied to INV-9401 \$108\.25 .+ applied in QuickBooksApplied in ConnectWise$/,
    );
    // ConnectWise shows a credit memo below zero; the books' figures stand beside it the same way,
    // so they agree rather than "differ".
    const total = frame.getByTestId('amount-total');
    expect(await total.textContent()).toBe('Total-$108.25-$108.25');
    expect(await total.getAttribute('class')).toBeNull();
    expect(await frame.getByTestId('amount-balance').textContent()).toBe('Balance$0.00$0.00');
    await screenshot(page, 'pod-invoice-credit-memo-applied');
    await page.close();
  });

  it('a payment from the books is labelled with its kind, reference, date, amount and source', async () => {
    const view = (await pod.world.record(paidId)).body;
    const payment = view.payments[0];
    const page = await pod.open(`/invoices/${paidId}`, 'viewer');
    const frame = podFrame(page);
    await eventually(() => stateOf(frame)).toBe('partly_paid');
    const rows = frame.getByTestId('payment');
    await eventually(() => rows.count()).toBe(1);
    const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(
      new Date(`${payment.date}T00:00:00Z`),
    );
    expect(await rows.first().textContent()).toBe(
      `Payment $500.00 ${date} in ConnectWiseFrom QuickBooks, ref ${payment.reference}`,
    );
    expect(payment.reference).toMatch(/^\d+$/);
    await page.close();
  });

  it('says how long ago the figures were checked', async () => {
    // Both reads five and a half minutes old: the line counts from the staler one.
    const longAgo = new Date(Date.now() - 330_000);
    await pod.world.pod.database.db
      .updateTable('records')
      .set({ refreshed_at: longAgo, ledger_read_at: longAgo })
      .where('tenant_id', '=', pod.world.tenant.id)
      .where('cw_id', '=', String(paidId))
      .execute();
    const page = await pod.open(`/invoices/${paidId}`, 'viewer');
    const frame = podFrame(page);
    await eventually(() => stateOf(frame)).toBe('partly_paid');
    const checked = frame.getByTestId('checked');
    expect(await checked.textContent()).toMatch(/^Checked [56] min ago$/);
    expect(await checked.getAttribute('title')).toMatch(/^ConnectWise read .+; QuickBooks Online read .+$/);
    // Opening a stale record reads it again; reloaded, the pod says so.
    await eventually(async () => {
      await page.reload();
      await frame.getByTestId('checked').waitFor();
      return frame.getByTestId('checked').textContent();
    }).toBe('Checked just now');
    await page.close();
  });
});
