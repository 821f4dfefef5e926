import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { screenshot } from '../support/browser.js';
import { eventually, type Harness, openPage, podFrame, startHarness } from './pod-fixtures/pod-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 120_000);
afterAll(() => h?.close());
beforeEach(() => h.backend.store.reset());

const state = (pod: ReturnType<typeof podFrame>) =>
  pod.getByTestId('record-state').getAttribute('data-state');

describe('the invoice pod', () => {
  it('shows a viewer the status, the ledger link and the amounts, and no buttons', async () => {
    const page = await openPage(h, '/invoices/4?member=viewer');
    const pod = podFrame(page);
    await eventually(() => state(pod)).toBe('partly_paid');
    const link = pod.getByTestId('ledger-link');
    expect(await link.getAttribute('href')).toBe('https://app.qbo.intuit.com/app/invoice?txnId=145');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.textContent()).toContain('QuickBooks Online #1004');
    // CW says 2,472.13 is owed, the books 1,472.13: flagged in words, not just colour.
    const balance = pod.getByTestId('amount-balance');
    expect(await balance.getAttribute('class')).toBe('mismatch');
    expect(await balance.textContent()).toContain('differs');
    expect(await pod.getByTestId('amount-total').getAttribute('class')).toBeNull();
    expect(await pod.getByRole('list', { name: 'Payments' }).textContent()).toContain('$1,000.00');
    expect(await pod.getByRole('button').count()).toBe(0);
    await screenshot(page, 'pod-invoice-viewer');
    await page.close();
  });

  it('lets an accountant push an unposted invoice and follows it queued -> synced live', async () => {
    const page = await openPage(h, '/invoices/1?member=accountant');
    const pod = podFrame(page);
    await eventually(() => state(pod)).toBe('unposted');
    expect(await pod.getByTestId('ledger-link').count()).toBe(0);
    expect(await pod.getByTestId('reverse').count()).toBe(0);
    await pod.getByTestId('sync-now').click();
    await eventually(() => state(pod), 2_000).toBe('queued');
    expect(await pod.getByTestId('sync-now').isDisabled()).toBe(true);
    await screenshot(page, 'pod-invoice-queued');
    await eventually(() => state(pod)).toBe('synced');
    expect(await pod.getByTestId('ledger-link').getAttribute('href')).toContain('txnId=t1');

    // Settled: the pod stops polling.
    const reads = () => h.backend.requests.filter((r) => r === 'GET /records/invoice/1').length;
    const before = reads();
    await page.waitForTimeout(2_500);
    expect(reads()).toBe(before);
    await screenshot(page, 'pod-invoice-synced');
    await page.close();
  });

  it('shows a failed record with its error and hint, and a retry succeeds once fixed', async () => {
    const page = await openPage(h, '/invoices/2?member=accountant');
    const pod = podFrame(page);
    await eventually(() => state(pod)).toBe('error');
    const error = pod.getByTestId('record-error');
    expect(await error.textContent()).toContain('has no QuickBooks account');
    expect(await error.textContent()).toContain('Map it in Admin > Mappings > GL accounts, then retry.');
    expect(await pod.getByTestId('sync-now').textContent()).toBe('Retry');
    await screenshot(page, 'pod-invoice-error');

    // Retrying without a fix fails again, with the same hint.
    await pod.getByTestId('sync-now').click();
    await eventually(() => state(pod), 2_000).toBe('queued');
    expect(await error.count()).toBe(0);
    await eventually(() => state(pod)).toBe('error');
    expect(await pod.getByTestId('record-error').textContent()).toContain('then retry');

    h.backend.store.fix('invoice:2');
    await pod.getByTestId('sync-now').click();
    await eventually(() => state(pod)).toBe('synced');
    expect(await pod.getByTestId('record-error').count()).toBe(0);
    await page.close();
  });

  it('lets an admin reverse a synced credit memo after confirming', async () => {
    const page = await openPage(h, '/invoices/3?member=admin');
    const pod = podFrame(page);
    await eventually(() => state(pod)).toBe('synced');
    expect(await pod.getByTestId('ledger-link').textContent()).toContain('Xero #CN-0003');
    await pod.getByTestId('reverse').click();
    const confirm = pod.getByRole('group', { name: 'Confirm reverse' });
    expect(await confirm.textContent()).toContain('Reverse INV-1003');
    await screenshot(page, 'pod-invoice-reverse-confirm');
    // Cancel does nothing.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await state(pod)).toBe('synced');
    await pod.getByTestId('reverse').click();
    await pod.getByRole('button', { name: 'Yes, reverse' }).click();
    await eventually(() => state(pod)).toBe('unposted');
    expect(await pod.getByTestId('ledger-link').count()).toBe(0);
    expect(h.backend.requests).toContain('POST /records/credit_memo/3/reverse');
    await page.close();
  });

  it('reaches Reverse from the keyboard, with a visible focus; a record in the books offers no Sync now', async () => {
    const page = await openPage(h, '/invoices/4?member=admin');
    const pod = podFrame(page);
    await eventually(() => state(pod)).toBe('partly_paid');
    expect(await pod.getByTestId('sync-now').count()).toBe(0);
    await pod.getByTestId('ledger-link').focus();
    await page.keyboard.press('Tab');
    expect(await pod.getByTestId('reverse').evaluate((el) => el === document.activeElement)).toBe(true);
    const outline = await pod.getByTestId('reverse').evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    // The confirm step takes focus, so Enter again confirms and Escape-free Cancel is one Tab away.
    expect(
      await pod.getByRole('button', { name: 'Yes, reverse' }).evaluate((el) => el === document.activeElement),
    ).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await pod.getByTestId('reverse').evaluate((el) => el === document.activeElement)).toBe(true);
    await page.close();
  });

  it('says plainly when Ledgerpod has no record of the invoice', async () => {
    h.backend.store.records.delete('invoice:1');
    const page = await openPage(h, '/invoices/1?member=viewer');
    const pod = podFrame(page);
    await eventually(() => pod.getByTestId('record-empty').count()).toBe(1);
    expect(await pod.getByTestId('record-empty').textContent()).toContain('no record of this invoice');
    await page.close();
  });
});
