import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { screenshot } from '../support/browser.js';
import { eventually, type Harness, openPage, podFrame, startHarness } from './pod-fixtures/pod-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 120_000);
afterAll(() => h?.close());
beforeEach(() => h.backend.store.reset());

const openAdmin = async (member = 'admin') => {
  const page = await openPage(h, `/today?member=${member}&tab=admin`, { width: 1280, height: 900 });
  return { page, tab: podFrame(page, '[data-panel=admin] iframe') };
};

describe('the admin tab', () => {
  it('runs the onboarding wizard: dry-run preview, run with live progress, errors as CSV', async () => {
    const { page, tab } = await openAdmin();
    await tab.getByTestId('admin-onboarding').click();
    await tab.getByLabel('Cutoff date').fill('2025-01-31');
    await tab.getByLabel('Payments from (optional)').fill('2025-01-01');
    await tab.getByLabel('Expense').check();
    await tab.getByTestId('dry-run').click();
    const preview = tab.getByTestId('dry-run-preview');
    await eventually(() => preview.count()).toBe(1);
    expect(await preview.textContent()).toContain('30 invoices, 5 credit memos, 5 expenses');
    expect(await tab.getByTestId('onboarding-failures').textContent()).toContain('Initech, Inc.');
    await screenshot(page, 'pod-admin-onboarding-preview');

    await tab.getByTestId('run-onboarding').click();
    const status = tab.getByTestId('onboarding-status');
    await eventually(() => status.textContent(), 2_000).toMatch(/^Onboarding: \d+ of 40/);
    const midway = Number(await tab.locator('progress').getAttribute('value'));
    expect(midway).toBeLessThan(40);
    await screenshot(page, 'pod-admin-onboarding-running');
    await eventually(() => status.textContent()).toBe('Onboarding finished: 38 of 40 onboarded, 2 failed.');
    expect(await tab.locator('progress').getAttribute('value')).toBe('40');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      tab.getByTestId('download-csv').click(),
    ]);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(download.suggestedFilename()).toBe('ledgerpod-onboarding-run-1-errors.csv');
    expect(csv.split('\r\n')[0]).toBe('"type","cwId","number","code","message","hint"');
    expect(csv).toContain('"invoice","901","INV-0901","customer_missing","Customer ""Initech, Inc."" is not');
    await screenshot(page, 'pod-admin-onboarding-done');
    await page.close();
  });

  it('connects Xero in a popup and reloads the list when the callback reports back', async () => {
    const { page, tab } = await openAdmin();
    await eventually(() => tab.getByTestId('connection-qbo').count()).toBe(1);
    const [popup] = await Promise.all([page.waitForEvent('popup'), tab.getByTestId('connect-xero').click()]);
    await eventually(() => tab.getByTestId('connection-xero').count()).toBe(1);
    await eventually(async () => popup.isClosed()).toBe(true);
    expect(await tab.getByTestId('connections-status').textContent()).toBe('Xero connected.');

    const xero = tab.getByTestId('connection-xero');
    await xero.getByLabel('ConnectWise location ids').fill('2, 3');
    await xero.getByRole('button', { name: 'Save routing' }).click();
    await eventually(() => h.backend.store.connections.find((c) => c.kind === 'xero')?.cwLocationIds).toEqual(
      [2, 3],
    );
    await screenshot(page, 'pod-admin-connections');
    await xero.getByRole('button', { name: 'Disconnect' }).click();
    await xero.getByRole('button', { name: 'Yes, disconnect' }).click();
    await eventually(() => tab.getByTestId('connection-xero').count()).toBe(0);
    await page.close();
  });

  it('maps a GL account from a picker filled from the books, and saves roles and schedule', async () => {
    const { page, tab } = await openAdmin();
    await tab.getByTestId('admin-mappings').click();
    await tab.getByLabel('4000 Managed Services').selectOption('80');
    await eventually(() => h.backend.store.mappings).toEqual([
      { kind: 'gl_account', cwKey: '4000', ledgerKey: '80', ledgerName: 'Services' },
    ]);
    await screenshot(page, 'pod-admin-mappings');

    await tab.getByTestId('admin-settings').click();
    await tab.getByLabel('Technician').selectOption('accountant');
    await tab.getByLabel('Sync when an invoice closes').uncheck();
    await tab.getByLabel('Catch-up sweep every (minutes)').fill('10');
    await tab.getByRole('button', { name: 'Save settings' }).click();
    await eventually(() => h.backend.store.settings).toMatchObject({
      roleMap: { Technician: 'accountant' },
      syncOnClose: false,
      sweepMinutes: 10,
    });
    await page.close();
  });

  it('shows the daily chart and the audit log, reachable by keyboard', async () => {
    h.backend.store.push(h.backend.store.records.get('invoice:5')!);
    const { page, tab } = await openAdmin();
    await eventually(() => tab.getByTestId('admin-activity').count()).toBe(1);
    await tab.getByTestId('admin-connections').focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
    expect(await tab.getByTestId('admin-activity').evaluate((el) => el === document.activeElement)).toBe(
      true,
    );
    await page.keyboard.press('Enter');
    await eventually(() => tab.getByTestId('daily-chart').locator('rect').count()).toBe(28);
    expect(await tab.getByTestId('audit-log').textContent()).toContain('invoice:5');
    await screenshot(page, 'pod-admin-activity');
    await page.close();
  });

  it('is closed to accountants', async () => {
    const { page, tab } = await openAdmin('accountant');
    await eventually(() => tab.getByRole('status').textContent()).toContain('for Ledgerpod admins');
    await page.close();
  });
});
