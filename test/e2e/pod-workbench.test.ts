import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverUnposted } from '../../server/sync/sweep-jobs.js';
import { buildExpense, buildProcurement } from '../../sim/connectwise/index.js';
import { screenshot } from '../support/browser.js';
import { invoice, otherRecordMappings } from '../support/pipeline-world.js';
import { eventually, focused, podFrame, type RealPod, startRealPod } from './helpers/real-pod.js';

/**
 * The accountant's workbench tab on the simulated ConnectWise Today screen, against the real product
 * (database, workers, ConnectWise and QuickBooks simulators over HTTP, real SDKs).
 */

let pod: RealPod;

beforeAll(async () => {
  pod = await startRealPod();
  const { world } = pod;
  await world.seedInvoices([
    invoice(7201, 'INV-7201'),
    invoice(7202, 'INV-7202'),
    invoice(7203, 'INV-7203'),
    // GL account 4999 has no QuickBooks account: this one keeps failing.
    invoice(7204, 'INV-7204', {
      lines: [{ description: 'Consulting', quantity: 1, unitPrice: 10, accountNumber: '4999' }],
    }),
  ]);
  // An expense and a purchase whose GL accounts are not mapped yet: both fail on their first push.
  await world.seedOther({
    expenses: [buildExpense({ id: 7211, amount: 82.4 })],
    procurement: [buildProcurement({ id: 7212, procurementType: 'Purchase', total: 1500 })],
  });
  expect(await discoverUnposted(world.workerDeps(), world.tenant.id)).toBe(4);
  await world.pushRecord('invoice', 7204);
  await world.pushRecord('expense', 7211);
  await world.pushRecord('procurement', 7212);
  await world.waitForRecord('invoice', 7204, ['error']);
  await world.waitForRecord('expense', 7211, ['error']);
  await world.waitForRecord('procurement', 7212, ['error']);
}, 180_000);

afterAll(async () => {
  await pod?.close();
});

const openWorkbench = async (member: 'viewer' | 'accountant' | 'admin') => {
  const page = await pod.open('/today?tab=workbench', member);
  return { page, tab: podFrame(page, '[data-panel=workbench] iframe') };
};

describe('the accountant workbench tab', () => {
  it('lists unposted records with counts and pushes a multi-selection with a progress bar', async () => {
    const { page, tab } = await openWorkbench('accountant');
    await eventually(() => tab.getByTestId('queue-unposted').textContent()).toBe('Unposted 3');
    expect(await tab.getByTestId('queue-error').textContent()).toBe('Failed 3');
    const table = tab.getByTestId('record-table');
    expect(await table.locator('tbody tr').count()).toBe(3);

    await tab.getByLabel('Select INV-7201').check();
    await tab.getByLabel('Select INV-7202').check();
    expect(await tab.getByTestId('push-selected').textContent()).toBe('Push selected (2)');
    await tab.getByTestId('push-selected').click();
    // Accepted, both are queued: the bar shows the push under way until the next look (a second on).
    await eventually(() => tab.getByTestId('push-summary').textContent()).toMatch(/^Pushing: [01] of 2 done/);
    expect(await tab.locator('progress').getAttribute('max')).toBe('2');
    await screenshot(page, 'pod-workbench-pushing');
    await eventually(() => tab.getByTestId('push-summary').textContent()).toBe(
      'Push finished: 2 synced, 0 failed',
    );
    expect(await tab.locator('progress').getAttribute('value')).toBe('2');
    // The pushed records left the unposted queue, and are in the books.
    await eventually(() => tab.getByTestId('queue-unposted').textContent()).toBe('Unposted 1');
    expect(await pod.world.ledgerSim.documentNumbers('invoice')).toEqual(
      expect.arrayContaining(['INV-7201', 'INV-7202']),
    );
    await page.close();
  });

  it('shows failures of every record type with their hints and retries them; a failure that persists is counted', async () => {
    const { page, tab } = await openWorkbench('accountant');
    await tab.getByTestId('queue-error').click();
    const table = tab.getByTestId('record-table');
    await eventually(() => table.locator('tbody tr').count()).toBe(3);
    const types = await table.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(types.sort()).toEqual(['Expense', 'Invoice', 'Procurement']);
    expect(await table.locator('tr[data-key="invoice:7204"]').textContent()).toContain(
      'Map the GL account in the Ledgerpod admin tab (Mappings > GL accounts), then retry.',
    );
    await screenshot(page, 'pod-workbench-failed');

    // The expense's and the purchase's accounts get mapped; INV-7204's 4999 still is not.
    await pod.world.addMappings(otherRecordMappings.qbo);
    await tab.getByLabel('Select all shown records').check();
    expect(await tab.getByTestId('push-selected').textContent()).toBe('Push selected (3)');
    await tab.getByTestId('push-selected').click();
    await eventually(() => tab.getByTestId('push-summary').textContent(), 30_000).toBe(
      'Push finished: 2 synced, 1 failed',
    );
    await eventually(() => tab.getByTestId('queue-error').textContent()).toBe('Failed 1');
    await eventually(() => table.locator('tbody tr').count()).toBe(1);
    expect((await pod.world.recordOf('expense', 7211)).body.state).toBe('synced');
    expect((await pod.world.recordOf('procurement', 7212)).body.state).toBe('synced');
    // Mapping is the admin's: the accountant's workbench offers no picker.
    expect(await tab.getByTestId('missing-mappings').count()).toBe(0);
    await page.close();
  });

  it('an admin maps the code the failures lack right in the workbench, and the records it stopped sync', async () => {
    const { page, tab } = await openWorkbench('admin');
    await tab.getByTestId('queue-error').click();
    const missing = tab.getByTestId('missing-mappings');
    await eventually(() => missing.locator('p').textContent()).toBe(
      'Missing mappings stop 1 record shown here.',
    );
    await missing.getByTestId('map-here').click();
    expect(await missing.locator('label').textContent()).toContain('GL account 4999 maps to');
    await missing.getByTestId('map-choice-0').selectOption({ label: 'Services (Income)' });
    await screenshot(page, 'pod-workbench-map-missing');
    await missing.getByTestId('map-save').click();
    await eventually(() => tab.getByTestId('push-summary').textContent(), 30_000).toBe(
      'Push finished: 1 synced, 0 failed',
    );
    await eventually(() => tab.getByTestId('queue-error').textContent()).toBe('Failed 0');
    expect(await missing.count()).toBe(0);
    expect((await pod.world.recordOf('invoice', 7204)).body.state).toBe('synced');
    await page.close();
  });

  it('syncs payments from a date, and pushes by keyboard', async () => {
    const { page, tab } = await openWorkbench('accountant');
    await eventually(() => tab.getByTestId('record-table').locator('tbody tr').count()).toBe(1);
    // A customer pays INV-7201 in full in QuickBooks.
    const paid = (await pod.world.record(7201)).body;
    await pod.world.ledgerSim.recordPayment(paid.ledger.id, paid.record.total);

    await tab.getByLabel('Since').fill('2024-01-01');
    await tab.getByTestId('sync-payments').click();
    await eventually(() => tab.getByTestId('payments-status').textContent()).toContain(
      'Payment sync queued from 2024-01-01',
    );
    await pod.world.waitForState(7201, ['paid']);

    await tab.getByLabel('Select INV-7203').focus();
    await page.keyboard.press('Space');
    const push = tab.getByTestId('push-selected');
    for (let i = 0; i < 8 && !(await focused(push)); i++) await page.keyboard.press('Shift+Tab');
    expect(await focused(push)).toBe(true);
    await page.keyboard.press('Enter');
    await eventually(() => tab.getByTestId('push-summary').textContent()).toBe(
      'Push finished: 1 synced, 0 failed',
    );
    await eventually(() => tab.getByTestId('queue-unposted').textContent()).toBe('Unposted 0');
    await page.close();
  });

  it("shows every record with its state and ledger link, and opens a record's ConnectWise screen", async () => {
    const { page, tab } = await openWorkbench('accountant');
    await tab.getByTestId('queue-all').click();
    const table = tab.getByTestId('record-table');
    await eventually(() => table.locator('tbody tr').count()).toBe(6);
    const row = table.locator('tr[data-key="invoice:7201"]');
    expect(await row.locator('.badge, [data-state]').first().textContent()).toContain('Paid');
    const link = row.getByRole('link');
    expect(await link.textContent()).toBe('QuickBooks #INV-7201');
    expect(await link.getAttribute('href')).toBe((await pod.world.record(7201)).body.ledger.url);
    await screenshot(page, 'pod-workbench-all');

    // Filters narrow the list; the counts follow the filter.
    await tab.getByLabel('Type').selectOption('expense');
    await eventually(() => table.locator('tbody tr').count()).toBe(1);
    expect(await table.locator('tbody tr').getAttribute('data-key')).toBe('expense:7211');
    expect(await tab.getByTestId('queue-synced').textContent()).toBe('Synced 1');
    await tab.getByLabel('Type').selectOption('');
    // The search applies on Enter (or leaving the field): the input's change event, not each key.
    await tab.getByLabel('Search').fill('INV-7203');
    await tab.getByLabel('Search').press('Enter');
    await eventually(() => table.locator('tbody tr').count()).toBe(1);
    expect(await table.locator('tbody tr').getAttribute('data-key')).toBe('invoice:7203');
    await tab.getByLabel('Search').fill('');
    await tab.getByLabel('Search').press('Enter');
    await eventually(() => table.locator('tbody tr').count()).toBe(6);

    await row.getByRole('button', { name: 'INV-7201' }).click();
    await page.waitForURL(/\/invoices\/7201\?member=/);
    await eventually(() => podFrame(page).getByTestId('record-state').getAttribute('data-state')).toBe(
      'paid',
    );
    await page.close();
  });

  it('tells a viewer the tab is not for them', async () => {
    const { page, tab } = await openWorkbench('viewer');
    await eventually(() => tab.getByRole('status').first().textContent()).toContain(
      'for Ledgerpod accountants',
    );
    await page.close();
  });
});
