import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInvoiceWithGl } from '../../sim/connectwise/index.js';
import { type SimHandle, startXeroSimHandle } from '../ledgers/support/ledger-worlds.js';
import { screenshot } from '../support/browser.js';
import { api, post } from '../support/cw-tenant.js';
import { invoice } from '../support/pipeline-world.js';
import { eventually, focused, podFrame, type RealPod, startRealPod } from './helpers/real-pod.js';

/**
 * The admin tab on the simulated ConnectWise Today screen, against the real product (database,
 * workers, ConnectWise, QuickBooks and Xero simulators over HTTP with their own OAuth pages, real
 * SDKs). The world's books are QuickBooks; Xero is connected through the tab.
 */

const line = [{ description: 'Work', quantity: 2, unitPrice: 75 }];
const old = (id: number, number: string, extra = {}) =>
  buildInvoiceWithGl({ id, number, date: '2023-06-01T00:00:00Z', lines: line, ...extra });
/** History before the cutoff: 26 invoices (two with a `|`, which CW batches refuse) and a credit memo. */
const history = [
  ...Array.from({ length: 24 }, (_, i) => old(7400 + i, `OLD-${100 + i}`)),
  old(7430, 'CM-OLD-1', { type: 'CreditMemo' }),
  old(7431, 'BAD|1'),
  old(7432, 'BAD|2'),
];

let pod: RealPod;
let xero: SimHandle;

beforeAll(async () => {
  xero = await startXeroSimHandle();
  pod = await startRealPod({
    env: { XERO_API_URL: `${xero.url}/api.xro/2.0`, XERO_IDENTITY_URL: xero.url },
  });
  const { world } = pod;
  await post(world.cw.url, '/__sim/seed', {
    glAccounts: [
      { id: 1, accountNumber: '4000', description: 'Managed Services', glType: 'Income' },
      { id: 2, accountNumber: '4100', description: 'Hardware resale', glType: 'Income' },
    ],
  });
  await world.seedInvoices([
    invoice(7301, 'INV-7301'),
    invoice(7302, 'INV-7302', {
      lines: [{ description: 'Consulting', quantity: 1, unitPrice: 10, accountNumber: '4999' }],
    }),
    ...history,
  ]);
  // Activity for the chart and the audit log: one push that syncs, one that fails.
  await world.pushRecord('invoice', 7301);
  await world.pushRecord('invoice', 7302);
  await world.waitForState(7301, ['synced']);
  await world.waitForState(7302, ['error']);
}, 180_000);

afterAll(async () => {
  await pod?.close();
  await xero?.close();
});

const openAdmin = async (member: 'admin' | 'accountant' = 'admin') => {
  const page = await pod.open('/today?tab=admin', member, { width: 1280, height: 900 });
  return { page, tab: podFrame(page, '[data-panel=admin] iframe') };
};

const adminApi = (method: string, path: string) =>
  api(pod.world.pod.url, pod.world.token.admin, method, path);

interface ConnectionView {
  id: string;
  kind: string;
  status: string;
  cwLocationIds: number[];
}
const connectionOf = async (kind: string) =>
  ((await adminApi('GET', '/api/v1/connections')).body.connections as ConnectionView[]).find(
    (c) => c.kind === kind,
  );

describe('the admin tab', () => {
  it('connects Xero through its OAuth page in a popup, routes locations to it, disconnects it; QuickBooks reconnects the same way', async () => {
    const { page, tab } = await openAdmin();
    await eventually(() => tab.getByTestId('connection-qbo').count()).toBe(1);
    expect(await tab.getByTestId('connection-xero').count()).toBe(0);

    // The popup goes through the Xero simulator's authorize page to the product's callback page,
    // which closes itself; the tab then lists the new connection.
    const [popup] = await Promise.all([page.waitForEvent('popup'), tab.getByTestId('connect-xero').click()]);
    await eventually(() => tab.getByTestId('connection-xero').count()).toBe(1);
    await eventually(() => tab.getByTestId('connections-status').textContent()).toBe('Xero connected.');
    await eventually(async () => popup.isClosed()).toBe(true);
    const xeroRow = tab.getByTestId('connection-xero');
    expect(await xeroRow.locator('strong').textContent()).toBe('Contoso Managed IT');
    expect(await xeroRow.locator('.conn-status').textContent()).toBe('Connected');
    expect((await connectionOf('xero'))?.status).toBe('active');

    await xeroRow.getByLabel('ConnectWise location ids').fill('2, 3');
    await xeroRow.getByRole('button', { name: 'Save routing' }).click();
    await eventually(async () => (await connectionOf('xero'))?.cwLocationIds).toEqual([2, 3]);
    await eventually(() => tab.getByTestId('connections-status').textContent()).toBe(
      'Routing for Contoso Managed IT saved.',
    );
    await screenshot(page, 'pod-admin-connections');

    await xeroRow.getByRole('button', { name: 'Disconnect' }).click();
    await xeroRow.getByRole('button', { name: 'Yes, disconnect' }).click();
    // The product keeps a disconnected connection (its records still name it), marked as such.
    await eventually(() => xeroRow.locator('.conn-status').textContent()).toBe('Disconnected');
    expect((await connectionOf('xero'))?.status).toBe('disconnected');

    // QuickBooks: disconnected, then connected again through Intuit's (simulated) OAuth page.
    const qboRow = tab.getByTestId('connection-qbo');
    await qboRow.getByRole('button', { name: 'Disconnect' }).click();
    await qboRow.getByRole('button', { name: 'Yes, disconnect' }).click();
    await eventually(() => qboRow.locator('.conn-status').textContent()).toBe('Disconnected');
    const [qboPopup] = await Promise.all([
      page.waitForEvent('popup'),
      qboRow.getByRole('button', { name: 'Reconnect' }).click(),
    ]);
    await eventually(() => qboRow.locator('.conn-status').textContent()).toBe('Connected');
    await eventually(() => tab.getByTestId('connections-status').textContent()).toBe(
      'QuickBooks Online connected.',
    );
    await eventually(async () => qboPopup.isClosed()).toBe(true);
    // The same connection, active again: its mappings and records still apply.
    expect(await connectionOf('qbo')).toMatchObject({ id: pod.world.connection.id, status: 'active' });
    await page.close();
  });

  it('maps ConnectWise codes with pickers filled from the books, and saves roles and the schedule', async () => {
    const { page, tab } = await openAdmin();
    await tab.getByTestId('admin-mappings').click();
    await eventually(() => tab.getByTestId('mappings-gl_account').count()).toBe(1);
    // 4000 came mapped; 4100 is not yet, and the picker lists QuickBooks' own accounts.
    expect(await tab.getByLabel('4000 Managed Services').locator('option:checked').textContent()).toBe(
      'Services (Income)',
    );
    const hardware = tab.getByLabel('4100 Hardware resale');
    expect(await hardware.inputValue()).toBe('');
    expect(await hardware.locator('option').allTextContents()).toContain('Sales of Product Income (Income)');
    await hardware.selectOption('2');
    await eventually(() => tab.getByRole('status').first().textContent()).toBe(
      'Saved: 4100 maps to Sales of Product Income.',
    );
    const mappingOf = (kind: 'gl_account' | 'class', cwKey: string) =>
      pod.world.pod.database.db
        .selectFrom('mappings')
        .select(['ledger_key', 'ledger_name'])
        .where('connection_id', '=', pod.world.connection.id)
        .where('kind', '=', kind)
        .where('cw_key', '=', cwKey)
        .executeTakeFirst();
    expect(await mappingOf('gl_account', '4100')).toEqual({
      ledger_key: '2',
      ledger_name: 'Sales of Product Income',
    });
    await screenshot(page, 'pod-admin-mappings');

    await tab.getByRole('button', { name: 'Classes / tracking' }).click();
    await eventually(() => tab.getByTestId('mappings-class').count()).toBe(1);
    await tab.getByLabel('4000 Managed Services').selectOption({ label: 'Managed' });
    await eventually(async () => (await mappingOf('class', '4000'))?.ledger_name).toBe('Managed');

    await tab.getByTestId('admin-settings').click();
    const roles = tab.getByTestId('role-map');
    await eventually(() => roles.locator('tbody tr').count()).toBe(5);
    await tab.getByLabel('Sales').selectOption('accountant');
    await tab.getByLabel('Sync when an invoice closes').uncheck();
    await tab.getByLabel('Catch-up sweep every (minutes)').fill('10');
    await tab.getByRole('button', { name: 'Save settings' }).click();
    await eventually(() => tab.getByText('Settings saved.').count()).toBe(1);
    expect((await adminApi('GET', '/api/v1/settings')).body.settings).toMatchObject({
      roleMap: { Sales: 'accountant' },
      syncOnClose: false,
      sweepMinutes: 10,
    });
    await screenshot(page, 'pod-admin-settings');
    await page.close();
  });

  it('shows the daily chart and the audit log, reachable by keyboard', async () => {
    const { page, tab } = await openAdmin();
    await eventually(() => tab.getByTestId('admin-activity').count()).toBe(1);
    await tab.getByTestId('admin-connections').focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
    expect(await focused(tab.getByTestId('admin-activity'))).toBe(true);
    await page.keyboard.press('Enter');
    const chart = tab.getByTestId('daily-chart');
    await eventually(() => chart.locator('rect').count()).toBe(28);
    // Today: INV-7301 synced and INV-7302 failed.
    const today = chart.locator('table tbody tr').last();
    expect(await today.locator('td').allTextContents()).toEqual([
      new Date().toISOString().slice(0, 10),
      '1',
      '1',
    ]);
    const log = tab.getByTestId('audit-log');
    await eventually(() => log.count()).toBe(1);
    expect(await log.textContent()).toContain('INV-7301');
    expect(await log.textContent()).toContain('INV-7302');
    await screenshot(page, 'pod-admin-activity');
    await page.close();
  });

  it('runs the onboarding wizard: dry-run preview, run with live progress, errors as CSV', async () => {
    const { page, tab } = await openAdmin();
    await tab.getByTestId('admin-onboarding').click();
    await tab.getByLabel('Batch prefix').fill('OB-');
    await tab.getByLabel('Cutoff date').fill('2023-12-31');
    await tab.getByLabel('Payments from (optional)').fill('2023-01-01');
    await tab.getByTestId('dry-run').click();
    const preview = tab.getByTestId('dry-run-preview');
    await eventually(() => preview.count()).toBe(1);
    expect(await preview.locator('p').first().textContent()).toBe(
      'Up to 2023-12-31, onboarding would mark these as already in the books: 26 invoices, 1 credit memo.',
    );
    const failures = tab.getByTestId('onboarding-failures');
    expect(await failures.locator('tbody tr td:first-child').allTextContents()).toEqual(['BAD|1', 'BAD|2']);
    const onboardingBatches = async () =>
      (await pod.world.cwState()).batches.filter((b) => /^OB-/.test(b.batchIdentifier));
    // A dry run changes nothing in ConnectWise.
    expect(await onboardingBatches()).toEqual([]);
    await screenshot(page, 'pod-admin-onboarding-preview');

    // ConnectWise answers each batch slowly, so the run takes long enough to watch.
    await pod.world.fault('cw', {
      method: 'POST',
      path: '*/finance/accounting/batches',
      kind: 'slow',
      delayMs: 300,
      times: 25,
    });
    await tab.getByTestId('run-onboarding').click();
    const status = tab.getByTestId('onboarding-status');
    // Midway, the bar and the words agree on how many records are handled (read in one go).
    const progress = () =>
      tab
        .getByTestId('onboarding-progress')
        .evaluate(
          (el) =>
            `${el.querySelector('progress')?.getAttribute('value')}|${el.querySelector('[data-testid=onboarding-status]')?.textContent}`,
        )
        .catch(() => '');
    await eventually(progress).toMatch(/^([1-9]|1\d|2[0-6])\|Onboarding: \1 of 27\b/);
    await screenshot(page, 'pod-admin-onboarding-running');
    await eventually(() => status.textContent(), 60_000).toBe(
      'Onboarding finished: 25 of 27 onboarded, 2 failed.',
    );
    expect(await tab.locator('progress').getAttribute('value')).toBe('27');
    expect(await onboardingBatches()).toHaveLength(25);
    expect((await adminApi('GET', '/api/v1/settings')).body.settings.paymentsFrom).toBe('2023-01-01');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      tab.getByTestId('download-csv').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^ledgerpod-onboarding-[0-9a-f-]{36}-errors\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    const rows = csv.trimEnd().split('\r\n');
    expect(rows[0]).toBe('"type","cwId","number","code","message","hint"');
    // One line per failure, in the order the run met them (records are batched several at a time).
    expect(
      rows
        .slice(1)
        .map((r) => r.split(',').slice(0, 4).join(','))
        .sort(),
    ).toEqual([
      '"invoice","7431","BAD|1","invalid_batch_character"',
      '"invoice","7432","BAD|2","invalid_batch_character"',
    ]);
    await screenshot(page, 'pod-admin-onboarding-done');

    // A failure leads to the ConnectWise screen where it is fixed.
    await failures.getByRole('button', { name: 'BAD|1' }).click();
    await page.waitForURL(/\/invoices\/7431\?member=/);
    await page.close();
  }, 90_000);

  it('is closed to accountants', async () => {
    const { page, tab } = await openAdmin('accountant');
    await eventually(() => tab.getByRole('status').first().textContent()).toContain('for Ledgerpod admins');
    await page.close();
  });
});
