import type { FrameLocator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverUnposted } from '../../server/pipeline/sweep-jobs.js';
import { buildExpense, buildProcurement } from '../../sim/connectwise/index.js';
import { screenshot } from '../support/browser.js';
import { conditionMs, readMs } from '../support/patience.js';
import { invoice, otherRecordMappings } from '../support/pipeline-world.js';
import { openAs } from './helpers/open-as.js';
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
    // Not closed in ConnectWise: its push fails as not closed (the "Not closed" queue, not "Failed").
    invoice(7205, 'INV-7205', { closed: false }),
    // A | in the number: ConnectWise cannot batch it, a failure with a cause of its own.
    invoice(7206, 'INV|7206'),
  ]);
  // An expense and a purchase whose GL accounts are not mapped yet: both fail on their first push.
  await world.seedOther({
    expenses: [buildExpense({ id: 7211, amount: 82.4 })],
    procurement: [buildProcurement({ id: 7212, procurementType: 'Purchase', total: 1500 })],
  });
  expect(await discoverUnposted(world.workerDeps(), world.tenant.id)).toBe(5);
  await world.pushRecord('invoice', 7204);
  await world.pushRecord('invoice', 7205);
  await world.pushRecord('invoice', 7206);
  await world.pushRecord('expense', 7211);
  await world.pushRecord('procurement', 7212);
  await world.waitForRecord('invoice', 7204, ['error']);
  await world.waitForRecord('expense', 7211, ['error']);
  await world.waitForRecord('procurement', 7212, ['error']);
  await world.waitForRecord('invoice', 7205, ['error']);
  await world.waitForRecord('invoice', 7206, ['error']);
});

afterAll(async () => {
  await pod?.close();
});

const openWorkbench = async (
  member: 'viewer' | 'accountant' | 'admin',
  as?: Parameters<typeof openAs>[3],
) => {
  const page = as
    ? await openAs(pod, '/today?tab=workbench', member, as)
    : await pod.open('/today?tab=workbench', member);
  return { page, tab: podFrame(page, '[data-panel=workbench] iframe') };
};

/** A queue tab's count as shown ("…" while counting). */
const count = (tab: FrameLocator, queue: string) =>
  tab.getByTestId(`queue-${queue}`).locator('.queue-count').textContent();
const queueTotal = (tab: FrameLocator, queue: string) =>
  tab
    .getByTestId(`queue-${queue}`)
    .locator('.queue-total')
    .textContent({ timeout: readMs })
    .catch(() => null);
const usd = (minor: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(minor / 100);
/** ConnectWise's total of an invoice, in cents. */
const cwTotal = async (id: number) =>
  Math.round(Number((await pod.world.cwState()).invoices.find((i) => i.id === id)!.total) * 100);
const rowKeys = (tab: FrameLocator) =>
  tab
    .getByTestId('record-table')
    .locator('tbody tr[data-key]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
const rowState = (tab: FrameLocator, key: string) =>
  tab
    .locator(`tr[data-key="${key}"] [data-state]`)
    .getAttribute('data-state', { timeout: readMs })
    .catch(() => null);

describe('the accountant workbench tab', () => {
  it('shows counting, not zeros, until the list answers; then counts and totals per queue agree with the rows', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The list's answer is held (the real backend answers it once released): what does the tab show meanwhile?
    const { page, tab } = await openWorkbench('accountant', {
      beforeOpen: (p) =>
        p.route(
          (url) => url.pathname === '/api/v1/records' || url.pathname === '/api/v1/stats/queues',
          async (route) => {
            await held;
            await route.continue();
          },
        ),
    });
    await eventually(() => tab.getByTestId('records-loading').isVisible()).toBe(true);
    expect(await count(tab, 'unposted')).toBe('…');
    expect(await count(tab, 'error')).toBe('…');
    expect(await tab.getByTestId('records-empty').count()).toBe(0);
    release();
    await eventually(() => count(tab, 'unposted')).toBe('3');
    expect(await tab.getByTestId('records-loading').count()).toBe(0);
    expect(await tab.getByTestId('record-table').locator('tbody tr').count()).toBe(3);
    // Failed holds the failures other than "not closed", which are counted in their own queue.
    expect(await count(tab, 'error')).toBe('4');
    expect(await count(tab, 'not_closed')).toBe('1');
    expect(await count(tab, 'all')).toBe('8');
    const three = (await cwTotal(7201)) + (await cwTotal(7202)) + (await cwTotal(7203));
    await eventually(() => queueTotal(tab, 'unposted')).toBe(usd(three));
    await eventually(() => queueTotal(tab, 'not_closed')).toBe(usd(await cwTotal(7205)));
    await page.close();
  });

  it('pushes a multi-selection with a progress bar; the pushed rows stay in place and show their result', async () => {
    const { page, tab } = await openWorkbench('accountant');
    await eventually(() => count(tab, 'unposted')).toBe('3');
    const table = tab.getByTestId('record-table');
    const before = await rowKeys(tab);
    expect(before).toHaveLength(3);

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
    // The pushed records left the unposted queue, and are in the books...
    await eventually(() => count(tab, 'unposted')).toBe('1');
    await eventually(() => queueTotal(tab, 'unposted')).toBe(usd(await cwTotal(7203)));
    expect(await pod.world.ledgerSim.documentNumbers('invoice')).toEqual(
      expect.arrayContaining(['INV-7201', 'INV-7202']),
    );
    // ...yet their rows stay where they were, each showing how its push went.
    expect(await rowKeys(tab)).toEqual(before);
    await eventually(() => rowState(tab, 'invoice:7201')).toBe('synced');
    await eventually(() => rowState(tab, 'invoice:7202')).toBe('synced');
    expect(await table.locator('tr[data-key="invoice:7201"]').getByRole('link').textContent()).toBe(
      'QuickBooks #INV-7201',
    );
    await eventually(() => rowState(tab, 'invoice:7203')).toBe('unposted');
    // Leaving the view and coming back shows the queue as it now is.
    await tab.getByTestId('queue-synced').click();
    await tab.getByTestId('queue-unposted').click();
    await eventually(() => rowKeys(tab)).toEqual(['invoice:7203']);
    await page.close();
  });

  it('groups failures by cause with one fix per group, keeps not-closed ones apart, and retries them; rows show their result', async () => {
    const { page, tab } = await openWorkbench('accountant');
    await tab.getByTestId('queue-error').click();
    const table = tab.getByTestId('record-table');
    await eventually(() => table.locator('tbody tr[data-key]').count()).toBe(4);
    expect(await count(tab, 'error')).toBe('4');
    const types = await table.locator('tbody tr[data-key] td:nth-child(3)').allTextContents();
    expect(types.sort()).toEqual(['Expense', 'Invoice', 'Invoice', 'Procurement']);
    // One group per cause, the largest first, its fix said once in its head (worded for its reader:
    // an accountant asks an admin, and is told what the admin does), not on every row.
    const unmapped = tab.getByTestId('failure-group-gl_account_unmapped');
    const head = unmapped.locator('.group-head');
    expect(await head.locator('.group-cause').textContent()).toBe('GL account not mapped (3)');
    expect(await head.locator('.group-fix').textContent()).toBe(
      'Fix: Ask a Ledgerpod admin to fix this; what needs doing: map the GL account in the Ledgerpod admin tab (Mappings > GL accounts), then retry.',
    );
    expect(await unmapped.locator('tr[data-key]').count()).toBe(3);
    expect(await table.locator('tr[data-key="invoice:7204"]').textContent()).not.toContain(
      'Ask a Ledgerpod admin',
    );
    const pipe = tab.getByTestId('failure-group-invalid_batch_character');
    expect(await pipe.locator('.group-cause').textContent()).toBe('Character ConnectWise cannot batch (1)');
    expect(await pipe.locator('tr[data-key]').getAttribute('data-key')).toBe('invoice:7206');
    expect(
      await tab.locator('tbody.failure-group').evaluateAll((g) => g.map((e) => e.dataset.testid)),
    ).toEqual(['failure-group-gl_account_unmapped', 'failure-group-invalid_batch_character']);
    await screenshot(page, 'pod-workbench-failed');

    // The not-closed failure is in its own queue, with the fix that is its own.
    await tab.getByTestId('queue-not_closed').click();
    await eventually(() => rowKeys(tab)).toEqual(['invoice:7205']);
    expect(await count(tab, 'not_closed')).toBe('1');
    expect(await tab.getByTestId('failure-group-not_closed').locator('.group-fix').textContent()).toBe(
      'Fix: Close the invoice in ConnectWise, then sync again.',
    );

    // The expense's and the purchase's accounts get mapped; INV-7204's 4999 still is not.
    await pod.world.addMappings(otherRecordMappings.qbo);
    await tab.getByTestId('queue-error').click();
    await eventually(() => table.locator('tbody tr[data-key]').count()).toBe(4);
    await unmapped.getByRole('button', { name: 'Select the 3 GL account not mapped failures' }).click();
    expect(await tab.getByTestId('push-selected').textContent()).toBe('Push selected (3)');
    await tab.getByTestId('push-selected').click();
    await eventually(() => tab.getByTestId('push-summary').textContent(), conditionMs).toBe(
      'Push finished: 2 synced, 1 failed',
    );
    await eventually(() => count(tab, 'error')).toBe('2');
    // The four rows stay: the two that went through show as synced, the others as failed.
    expect((await rowKeys(tab)).sort()).toEqual([
      'expense:7211',
      'invoice:7204',
      'invoice:7206',
      'procurement:7212',
    ]);
    await eventually(() => rowState(tab, 'expense:7211')).toBe('synced');
    await eventually(() => rowState(tab, 'procurement:7212')).toBe('synced');
    await eventually(() => rowState(tab, 'invoice:7204')).toBe('error');
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
    await eventually(() => tab.getByTestId('push-summary').textContent(), conditionMs).toBe(
      'Push finished: 1 synced, 0 failed',
    );
    await eventually(() => count(tab, 'error')).toBe('1');
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
      'Payment sync queued from Jan 1, 2024',
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
    await eventually(() => count(tab, 'unposted')).toBe('0');
    await page.close();
  });

  it("shows every record with its state and ledger link, and opens a record's ConnectWise screen", async () => {
    const { page, tab } = await openWorkbench('accountant');
    await tab.getByTestId('queue-all').click();
    const table = tab.getByTestId('record-table');
    await eventually(() => table.locator('tbody tr').count()).toBe(8);
    expect(await count(tab, 'all')).toBe('8');
    const row = table.locator('tr[data-key="invoice:7201"]');
    expect(await row.locator('.badge, [data-state]').first().textContent()).toContain('Paid');
    const link = row.getByRole('link');
    expect(await link.textContent()).toBe('QuickBooks #INV-7201');
    expect(await link.getAttribute('href')).toBe((await pod.world.record(7201)).body.ledger.url);
    await screenshot(page, 'pod-workbench-all');

    // Columns sort both ways, and say so.
    const numbers = () => table.locator('tbody tr[data-key] td:nth-child(2)').allTextContents();
    await tab.getByTestId('sort-number').click();
    const ascending = await numbers();
    expect(ascending).toEqual(
      [...ascending].sort(new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare),
    );
    expect(await tab.getByRole('columnheader', { name: 'Number' }).getAttribute('aria-sort')).toBe(
      'ascending',
    );
    await tab.getByTestId('sort-number').click();
    expect(await numbers()).toEqual([...ascending].reverse());
    expect(await tab.getByRole('columnheader', { name: 'Number' }).getAttribute('aria-sort')).toBe(
      'descending',
    );
    await tab.getByTestId('sort-total').click();
    const totals = await table.locator('tbody tr[data-key] td.num').allTextContents();
    const cents = totals.map((t) => Math.round(Number(t.replace(/[^0-9.-]/g, '')) * 100));
    expect(cents).toEqual([...cents].sort((a, b) => a - b));
    expect(cents[0]).toBeLessThan(cents.at(-1)!);

    // Filters narrow the list; the counts follow the filter.
    await tab.getByLabel('Type').selectOption('expense');
    await eventually(() => table.locator('tbody tr').count()).toBe(1);
    expect(await table.locator('tbody tr').getAttribute('data-key')).toBe('expense:7211');
    expect(await count(tab, 'synced')).toBe('1');
    await tab.getByLabel('Type').selectOption('');
    await eventually(() => table.locator('tbody tr').count()).toBe(8);
    // The search filters as the member types, no Enter needed.
    await tab.getByLabel('Search').pressSequentially('7203', { delay: 40 });
    await eventually(() => rowKeys(tab)).toEqual(['invoice:7203']);
    expect(await count(tab, 'all')).toBe('1');
    // A search that matches nothing says so, not that every record is done.
    await tab.getByLabel('Search').fill('no-such-record');
    await eventually(() => tab.getByTestId('records-empty').textContent()).toBe(
      'Nothing matches "no-such-record".',
    );
    await tab.getByLabel('Search').fill('');
    await eventually(() => table.locator('tbody tr').count()).toBe(8);

    await row.getByRole('button', { name: 'INV-7201' }).click();
    await page.waitForURL(/\/invoices\/7201\?member=/);
    await eventually(() => podFrame(page).getByTestId('record-state').getAttribute('data-state')).toBe(
      'paid',
    );
    await page.close();
  });

  it("dates read in the member's locale, as the day ConnectWise gave, whatever the time zone", async () => {
    // 2024-05-01 west of UTC: formatted as a moment it would read 30 April.
    const { page, tab } = await openWorkbench('accountant', {
      locale: 'en-GB',
      timezoneId: 'America/Los_Angeles',
    });
    await tab.getByTestId('queue-all').click();
    const date = tab.locator('tr[data-key="invoice:7201"] td:nth-child(5)');
    await eventually(() => date.textContent({ timeout: readMs }).catch(() => null)).toBe('1 May 2024');
    await page.close();
    const us = await openWorkbench('accountant', { locale: 'en-US', timezoneId: 'Pacific/Auckland' });
    await us.tab.getByTestId('queue-all').click();
    await eventually(() =>
      us.tab
        .locator('tr[data-key="invoice:7201"] td:nth-child(5)')
        .textContent({ timeout: readMs })
        .catch(() => null),
    ).toBe('May 1, 2024');
    await us.page.close();
  });

  it('tells a viewer the tab is not for them', async () => {
    const { page, tab } = await openWorkbench('viewer');
    await eventually(() => tab.getByRole('status').first().textContent()).toContain(
      'for Ledgerpod accountants',
    );
    await page.close();
  });
});
