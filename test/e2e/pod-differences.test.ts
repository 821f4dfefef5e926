import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../support/browser.js';
import { api, post } from '../support/cw-tenant.js';
import { conditionMs } from '../support/patience.js';
import { invoice } from '../support/pipeline-world.js';
import { eventually, podFrame, type RealPod, startRealPod } from './helpers/real-pod.js';

/**
 * Differences between ConnectWise and the books (issue 16 item 1, issue 14 item 4) in real Chromium
 * against the real product: the invoice pod shows each difference with its cause and fix, and the
 * "write the missing payment" fix is one click; the workbench's Differences queue lists them, with
 * a company's receivables on both sides.
 */

let pod: RealPod;
const creditMemo = (id: number, number: string) =>
  invoice(id, number, {
    type: 'CreditMemo',
    lines: [{ description: 'Service credit', quantity: 1, unitPrice: 100, accountNumber: '4000' }],
  });
const ledgerIds = new Map<number, string>();

beforeAll(async () => {
  // No payments schedule: the payment received in the books stays missing in ConnectWise until the pod's fix.
  pod = await startRealPod({ env: { PAYMENTS_CHECK_MINUTES: '0', DRIFT_CHECK_MINUTES: '0' } });
  const { world } = pod;
  await world.seedInvoices([
    invoice(7301, 'INV-7301'),
    invoice(7302, 'INV-7302'),
    creditMemo(7303, 'CM-7303'),
  ]);
  for (const [type, cwId] of [
    ['invoice', 7301],
    ['invoice', 7302],
    ['credit_memo', 7303],
  ] as const) {
    await world.pushRecord(type, cwId);
    ledgerIds.set(cwId, (await world.waitForRecord(type, cwId, ['synced'])).ledger!.id);
  }
  const realm = world.ledgerSim.externalId;
  // A bookkeeper receives a payment on INV-7301 and applies CM-7303 to INV-7302, both in QuickBooks.
  await world.ledgerSim.recordPayment(ledgerIds.get(7301)!, '500.00');
  await post(world.ledgerSim.url, `/__sim/realms/${realm}/apply-credit`, {
    creditMemoId: ledgerIds.get(7303),
    invoiceId: ledgerIds.get(7302),
    amount: 108.25,
  });
});

afterAll(async () => {
  await pod?.close();
});

const cwPayments = async (cwId: number) =>
  (await pod.world.cwState()).payments.filter((p) => p.invoice.id === cwId && !p.creditMemo);

describe('differences in the invoice pod', () => {
  it('shows a payment the books hold with its fix, and one click writes it to ConnectWise once', async () => {
    const page = await pod.open('/invoices/7301', 'accountant');
    const frame = podFrame(page);
    const section = frame.getByTestId('differences');
    await expect.poll(() => section.isVisible(), { timeout: conditionMs }).toBe(true);
    await frame.getByTestId('check-differences').click();
    const difference = frame.locator('[data-testid=difference][data-code=payment_missing_in_cw]');
    await eventually(() => difference.textContent()).toMatch(
      // The day in the member's locale (dates.ts), as every date the pod shows.
      /^Paid 500\.00 USD in QuickBooks on [^;]+\d{4}; ConnectWise does not show the payment yet\. Write the payment to ConnectWise\. Write it to ConnectWise$/,
    );
    await eventually(() => frame.getByTestId('checked-ago').textContent()).toContain('checked just now');
    await screenshot(page, 'pod-invoice-difference');
    await frame.getByTestId('fix-payment_missing_in_cw').click();
    await eventually(() => frame.getByTestId('differences-none').textContent()).toContain(
      'ConnectWise and the books agree',
    );
    expect((await cwPayments(7301)).map((p) => p.amount)).toEqual([500]);
    // A second ask (another accountant's stale pod) writes nothing more.
    const again = await api(
      pod.world.pod.url,
      pod.world.token.accountant,
      'POST',
      '/api/v1/records/invoice/7301/differences/fix',
      { code: 'payment_missing_in_cw', ref: 'any' },
    );
    expect(again.body).toMatchObject({ fixed: false, differences: [] });
    expect(await cwPayments(7301)).toHaveLength(1);
    await page.close();
  });

  it('tells a technician a credit applied in QuickBooks only, with what to do in ConnectWise', async () => {
    const checked = await api(
      pod.world.pod.url,
      pod.world.token.accountant,
      'POST',
      '/api/v1/records/invoice/7302/differences/check',
      {},
    );
    expect(checked.status).toBe(200);
    const page = await pod.open('/invoices/7302', 'viewer');
    const frame = podFrame(page);
    const difference = frame.locator('[data-testid=difference][data-code=credit_only_in_books]');
    await eventually(() => difference.textContent()).toBe(
      'Paid in QuickBooks by credit CM-7303 (108.25 USD); ConnectWise does not show it. Apply CM-7303 to INV-7302 in ConnectWise. ',
    );
    // A technician reads; checking and fixing are an accountant's.
    expect(await frame.getByTestId('check-differences').count()).toBe(0);
    await page.close();
  });
});

describe('the Differences queue in the workbench', () => {
  it('lists the records that differ with cause and fix, and a company’s balances on both sides', async () => {
    const page = await pod.open('/today?tab=workbench', 'accountant');
    const tab = podFrame(page, '[data-panel=workbench] iframe');
    const queue = tab.getByTestId('differences-queue');
    await eventually(() => tab.getByTestId('differences-count').textContent()).toBe('1');
    const row = queue.getByTestId('difference-row');
    await eventually(() => row.textContent()).toContain(
      'Paid in QuickBooks by credit CM-7303 (108.25 USD); ConnectWise does not show it.',
    );
    expect(await row.textContent()).toContain('INV-7302');
    await row.getByTestId('company-differences').click();
    const balances = tab.getByTestId('company-balances');
    await eventually(() => balances.textContent()).toMatch(
      /difference -\$108\.25|difference −\$108\.25|difference \$-108\.25/,
    );
    expect(await balances.textContent()).toContain('explained by INV-7302');
    await screenshot(page, 'workbench-differences');
    await page.close();
  });
});

// After the workbench's: the credit memo's check makes the company's receivables agree in total
// (the credit is on the customer's account in ConnectWise, on INV-7302 in the books).
describe('the credit memo’s pod', () => {
  it('says what the credit memo was applied to in QuickBooks only, and what to do in ConnectWise', async () => {
    const page = await pod.open('/invoices/7303', 'accountant');
    const frame = podFrame(page);
    await expect
      .poll(() => frame.getByTestId('differences').isVisible(), { timeout: conditionMs })
      .toBe(true);
    await frame.getByTestId('check-differences').click();
    const difference = frame.locator('[data-testid=difference][data-code=applied_only_in_books]');
    await eventually(() => difference.textContent()).toMatch(
      /^Applied in QuickBooks to INV-7302 \(108\.25 USD\) on [^;]+\d{4}; ConnectWise does not show it\. Apply CM-7303 to INV-7302 in ConnectWise\.\s?$/,
    );
    // The one explanation: not also a balance apart that "no payment or credit explains".
    expect(await frame.getByTestId('difference').count()).toBe(1);
    expect(await frame.locator('.record-number').textContent()).toBe('CM-7303');
    // Opened again, its amounts are the ones the check read: the credit used up in the books only.
    await page.reload();
    await eventually(() => frame.getByTestId('amount-balance').textContent()).toBe(
      'Balance-$108.25$0.00 differs',
    );
    await screenshot(page, 'pod-invoice-credit-memo-applied-in-books');
    await page.close();
    // A technician sees the same on the credit memo, as on the invoice it credits.
    const viewer = await pod.open('/invoices/7303', 'viewer');
    await eventually(() =>
      podFrame(viewer).locator('[data-testid=difference][data-code=applied_only_in_books]').textContent(),
    ).toContain('Apply CM-7303 to INV-7302 in ConnectWise.');
    await viewer.close();
  });
});
