import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverUnposted } from '../../server/pipeline/sweep-jobs.js';
import { buildInvoiceWithGl } from '../../sim/connectwise/index.js';
import { type SimHandle, startXeroSimHandle } from '../ledgers/support/ledger-worlds.js';
import { screenshot } from '../support/browser.js';
import { api, post } from '../support/cw-tenant.js';
import { readMs } from '../support/patience.js';
import { invoice } from '../support/pipeline-world.js';
import { openAs } from './helpers/open-as.js';
import { eventually, focused, podFrame, type RealPod, startRealPod, stateOf } from './helpers/real-pod.js';

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
      {
        id: 1,
        glType: 'R',
        segment1: '4000',
        mappedType: { id: 1, name: 'Work Role' },
        mappedRecord: { id: 1, name: 'Managed Services' },
      },
      {
        id: 2,
        glType: 'R',
        segment1: '4100',
        mappedType: { id: 1, name: 'Work Role' },
        mappedRecord: { id: 2, name: 'Hardware resale' },
      },
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
});

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
  name: string;
  status: string;
  cwLocationIds: number[];
  isDefault: boolean;
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
    // The next step is offered: these books' accounts are not mapped yet.
    const next = tab.getByTestId('next-step');
    await eventually(() => next.count()).toBe(1);
    expect(await next.textContent()).toContain('Next: map the ConnectWise GL accounts and tax codes');

    // The default-books tick saves at once, and the other connection's clears at once.
    const qboRow = tab.getByTestId('connection-qbo');
    const defaultTick = (row: typeof qboRow) => row.getByLabel(/Default books/);
    expect(await defaultTick(qboRow).isChecked()).toBe(true);
    expect(await defaultTick(xeroRow).isChecked()).toBe(false);
    await defaultTick(xeroRow).check();
    await eventually(() => defaultTick(qboRow).isChecked()).toBe(false);
    expect(await defaultTick(xeroRow).isChecked()).toBe(true);
    expect((await connectionOf('xero'))?.isDefault).toBe(true);
    await defaultTick(qboRow).check();
    await eventually(() => defaultTick(xeroRow).isChecked()).toBe(false);
    expect(await defaultTick(qboRow).isChecked()).toBe(true);
    expect((await connectionOf('qbo'))?.isDefault).toBe(true);

    // Routing picks ConnectWise's locations from ConnectWise's own list.
    const locations = xeroRow.locator('label.location');
    await eventually(async () => (await locations.allTextContents()).map((t) => t.trim())).toEqual([
      'Orlando',
      'Remote services',
      'Tampa HQ',
    ]);
    await xeroRow.getByLabel('Orlando').check();
    await xeroRow.getByLabel('Remote services').check();
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
    expect(await qboRow.locator('strong').textContent()).toBe('QuickBooks Online');
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
    // The same connection, active again: its mappings and records still apply, and it keeps its
    // name (the QuickBooks company is called "Sandbox Company").
    expect(await connectionOf('qbo')).toMatchObject({
      id: pod.world.connection.id,
      status: 'active',
      name: 'QuickBooks Online',
    });
    expect(await qboRow.locator('strong').textContent()).toBe('QuickBooks Online');
    // The connect read the company's tax settings, and the row says how these books take tax.
    await eventually(() => qboRow.getByTestId('tax-setup').textContent()).toBe(
      "Tax: US sales tax (automated): lines TAX/NON, ConnectWise's tax as the total",
    );
    // The next step after connecting opens the mappings.
    await tab.getByTestId('next-step').getByRole('button', { name: 'Map accounts' }).click();
    await eventually(() => tab.getByTestId('admin-mappings').getAttribute('aria-current')).toBe('page');
    await eventually(() => tab.getByTestId('mappings-gl_account').count()).toBe(1);
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

    // GL accounts and tax codes stop a push when unmapped; the other kinds are marked optional.
    const kindButtons = tab.getByRole('toolbar', { name: 'What to map' }).getByRole('button');
    expect(await kindButtons.allTextContents()).toEqual([
      'GL accounts',
      'Tax codes',
      'Classes / tracking (optional)',
      'Items (optional)',
      'Terms (optional)',
    ]);
    expect(await tab.getByTestId('optional-note').count()).toBe(0);
    await tab.getByRole('button', { name: 'Classes / tracking' }).click();
    await eventually(() => tab.getByTestId('mappings-class').count()).toBe(1);
    expect(await tab.getByTestId('optional-note').textContent()).toBe(
      'Optional: lines of an unmapped code are booked without a class or tracking category.',
    );
    await tab.getByLabel('4000 Managed Services').selectOption({ label: 'Managed' });
    await eventually(async () => (await mappingOf('class', '4000'))?.ledger_name).toBe('Managed');

    await tab.getByTestId('admin-settings').click();
    const roles = tab.getByTestId('role-map');
    await eventually(() => roles.locator('tbody tr').count()).toBe(5);
    await tab.getByLabel('Sales').selectOption('accountant');
    await tab.getByLabel('Sync when an invoice closes').uncheck();
    await tab.getByLabel('Sync a failed record again once it is fixed in ConnectWise').uncheck();
    await tab.getByLabel('Catch-up sweep every (minutes)').fill('10');
    await tab.getByLabel('ConnectWise payments per invoice').selectOption('one');
    // Swept just now, so the schedule saved here is not due while this file runs: a sweep would push
    // the 2023 history before the onboarding test below batches it (the onboarding cutoff does not
    // exist yet), and on a slow machine it did.
    const { tenants } = pod.world.pod.services;
    await tenants.updateSettings(pod.world.tenant.id, { lastSweepAt: new Date().toISOString() });
    await tab.getByRole('button', { name: 'Save settings' }).click();
    await eventually(() => tab.getByText('Settings saved.').count()).toBe(1);
    expect((await adminApi('GET', '/api/v1/settings')).body.settings).toMatchObject({
      roleMap: { Sales: 'accountant' },
      syncOnClose: false,
      syncWhenFixed: false,
      sweepMinutes: 10,
      cwPaymentsPerInvoice: 'one',
    });
    await screenshot(page, 'pod-admin-settings');
    await tenants.updateSettings(pod.world.tenant.id, {
      sweepMinutes: 0,
      cwPaymentsPerInvoice: 'many',
      syncWhenFixed: true,
    });
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
    // In words: what happened and who did it, never a raw kind or actor name.
    const column = (n: number) => log.locator(`tbody tr td:nth-child(${n})`).allTextContents();
    expect(await column(4)).toContain('Asked to sync');
    expect(await column(4)).toContain('Document created in the books');
    expect((await column(4)).filter((what) => what.includes('_'))).toEqual([]);
    await screenshot(page, 'pod-admin-activity');

    // Filtered by record: one row per event of INV-7302, as many as the trail holds.
    await tab.getByLabel('Record', { exact: true }).fill('inv-7302');
    await eventually(async () => [...new Set(await column(2))]).toEqual(['INV-7302']);
    const trail = (await adminApi('GET', '/api/v1/events?record=invoice:7302')).body.events as {
      actor: string;
      kind: string;
    }[];
    expect(await log.locator('tbody tr').count()).toBe(trail.length);
    // By kind: its failure alone, saying what failed.
    await tab.getByLabel('What', { exact: true }).selectOption({ label: 'Push failed' });
    await eventually(() => column(4)).toEqual(['Push failed']);
    expect((await column(6))[0]).toContain('4999');
    // By actor: the accountant who asked for the pushes.
    await tab.getByLabel('Record', { exact: true }).fill('');
    await tab.getByLabel('What', { exact: true }).selectOption({ label: 'Anything' });
    const accountant = trail.find((e) => e.kind === 'queued')!.actor;
    await tab.getByLabel('Who', { exact: true }).selectOption(accountant);
    await eventually(async () => [...new Set(await column(3))]).toEqual([accountant]);
    await tab.getByLabel('Record', { exact: true }).fill('no-such-record');
    await eventually(() => tab.getByText('No event matches these filters.').count()).toBe(1);
    await page.close();
  });

  it("the dry run's dates read in the admin's locale (en-GB here), not a fixed one", async () => {
    const page = await openAs(pod, '/today?tab=admin', 'admin', { locale: 'en-GB' });
    const tab = podFrame(page, '[data-panel=admin] iframe');
    await tab.getByTestId('admin-onboarding').click();
    await tab.getByLabel('Batch prefix').fill('OB-');
    await tab.getByLabel('Cutoff date').fill('2023-12-31');
    await tab.getByTestId('dry-run').click();
    const preview = tab.getByTestId('dry-run-preview');
    await eventually(() => preview.count()).toBe(1);
    // Day before month, as en-GB writes it; en-US would say "Dec 31, 2023".
    expect(await preview.locator('p').first().textContent()).toBe(
      'Up to 31 Dec 2023, onboarding would mark these as already in the books: 26 invoices, 1 credit memo.',
    );
    expect(await preview.textContent()).not.toMatch(/Dec \d{1,2}, \d{4}|\d{4}-\d{2}-\d{2}/);
    // A dry run leaves no run behind.
    expect((await pod.world.cwState()).batches.filter((b) => /^OB-/.test(b.batchIdentifier))).toEqual([]);
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
      'Up to Dec 31, 2023, onboarding would mark these as already in the books: 26 invoices, 1 credit memo.',
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
    await eventually(() => status.textContent()).toBe('Onboarding finished: 25 of 27 onboarded, 2 failed.');
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
    expect(rows[0]).toBe('"type","cwId","number","code","message","hint","recordState"');
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
  });

  it('keeps the run: the history lists it, and re-opened later its failures filter and download', async () => {
    const { page, tab } = await openAdmin();
    await tab.getByTestId('admin-onboarding').click();
    const history = tab.getByTestId('onboarding-history');
    const rows = history.locator('tbody tr');
    await eventually(() => rows.count()).toBe(1);
    const cells = await rows.first().locator('td').allTextContents();
    expect(cells.slice(2, 7)).toEqual(['OB-', 'Dec 31, 2023', 'Invoice, Credit memo', '25 of 27', '2']);
    expect(cells[1]).toMatch(/\S/);
    expect(cells[7]).toMatch(/^\d+ (s|min)$/);
    await history.getByTestId('open-run').click();
    const failures = history.getByTestId('onboarding-failures');
    await eventually(() => failures.locator('tbody tr').count()).toBe(2);
    await history.getByTestId('failure-search').fill('BAD|2');
    await eventually(() => failures.locator('tbody tr td:first-child').allTextContents()).toEqual(['BAD|2']);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      history.getByTestId('download-csv').click(),
    ]);
    const csv = (await readFile((await download.path())!, 'utf8')).trimEnd().split('\r\n');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toMatch(/^"invoice","7432","BAD\|2","invalid_batch_character",.*,"error"$/);
    await history.getByTestId('failure-search').fill('');
    await history.getByTestId('failure-code').selectOption('invalid_batch_character');
    await eventually(() => failures.locator('tbody tr').count()).toBe(2);
    await screenshot(page, 'pod-admin-onboarding-history');
    await page.close();
  });

  it('a fixed onboarding failure is onboarded again from its pod: one CW batch, no ledger document', async () => {
    const { world } = pod;
    const page = await pod.open('/invoices/7431', 'accountant');
    const frame = podFrame(page);
    await eventually(() => stateOf(frame)).toBe('error');
    const button = frame.getByTestId('sync-now');
    expect(await button.textContent()).toBe('Onboard again');
    const hint = await frame.getByTestId('record-error').locator('.problem-hint').textContent();
    expect(hint).toContain('Onboard again');
    expect(hint).not.toMatch(/sync again/i);
    await screenshot(page, 'pod-invoice-onboarding-failed');

    // Fixed in ConnectWise: the number loses its |.
    const fixed = await fetch(`${world.cw.url}/__sim/invoices/7431`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ op: 'replace', path: '/invoiceNumber', value: 'BAD-1' }]),
    });
    expect(fixed.status).toBe(200);
    await button.click();
    await eventually(() => stateOf(frame)).toBe('onboarded');
    const batches = (await world.cwState()).batches
      .map((b) => b.batchIdentifier as string)
      .filter((identifier) => identifier.endsWith('BAD-1'));
    expect(batches).toEqual(['OB-BAD-1']);
    expect((await world.ledgerDocuments('invoice')).map((d) => d.number)).not.toContain('BAD-1');
    expect((await world.record(7431)).body.ledger).toBeNull();

    // Onboarded history carries ConnectWise's figures (not $0.00 and no company, issue 14 item 1).
    const cwInvoice = (await world.cwState()).invoices.find((i) => i.id === 7431)!;
    expect(Number(cwInvoice.total)).toBeGreaterThan(0);
    const usd = (amount: number) =>
      new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(amount);
    // No books column: nothing was booked.
    await eventually(() => frame.getByTestId('amount-total').textContent()).toBe(
      `Total${usd(Number(cwInvoice.total))}—`,
    );
    expect(await frame.getByTestId('amount-balance').textContent()).toBe(
      `Balance${usd(Number(cwInvoice.balance))}—`,
    );
    await screenshot(page, 'pod-invoice-onboarded');
    await page.close();
    // Its company and date, where records are listed by them: the workbench.
    const listed = await pod.open('/today?tab=workbench', 'accountant');
    const tab = podFrame(listed, '[data-panel=workbench] iframe');
    await tab.getByTestId('queue-all').click();
    await tab.getByLabel('Search').fill('BAD-1');
    const row = tab.locator('tbody tr[data-key="invoice:7431"]');
    await eventually(() => row.count()).toBe(1);
    const cells = await row.locator('td').allTextContents();
    expect(cwInvoice.company.name).not.toBe('');
    expect(cells.slice(1, 6)).toEqual([
      'BAD-1',
      'Invoice',
      cwInvoice.company.name,
      'Jun 1, 2023',
      usd(Number(cwInvoice.total)),
    ]);
    await listed.close();
  });

  it("an old record's push is refused without the admin's confirmation, which books it", async () => {
    const { world } = pod;
    // Closed after the run, so never onboarded, but dated before its cutoff.
    await world.seedInvoices([invoice(7440, 'LATE-40', { date: '2023-07-01T00:00:00Z' })]);
    const accountantPage = await pod.open('/invoices/7440', 'accountant');
    const asAccountant = podFrame(accountantPage);
    // Opening it read it from ConnectWise: its date is known, so the push is refused at once.
    await eventually(() => stateOf(asAccountant)).toBe('unposted');
    await asAccountant.getByTestId('sync-now').click();
    const refusal = asAccountant.getByTestId('action-problem');
    await eventually(() => refusal.getAttribute('data-code', { timeout: readMs }).catch(() => null)).toBe(
      'before_onboarding_cutoff',
    );
    // The server's ISO days read in the member's locale (en-US here), never as 2023-07-01.
    const refused = await refusal.locator('.problem-message').textContent();
    expect(refused).toContain('dated Jul 1, 2023, cutoff Dec 31, 2023');
    expect(refused).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(await refusal.locator('.problem-hint').textContent()).toContain('admin');
    expect(await asAccountant.getByTestId('book-old').count()).toBe(0);
    expect(await asAccountant.getByTestId('sync-now').count()).toBe(0);
    await eventually(() => stateOf(asAccountant)).toBe('unposted');
    expect((await world.ledgerDocuments('invoice')).map((d) => d.number)).not.toContain('LATE-40');
    await screenshot(accountantPage, 'pod-invoice-refused-as-old');
    await accountantPage.close();

    const adminPage = await pod.open('/invoices/7440', 'admin');
    const asAdmin = podFrame(adminPage);
    await eventually(() => stateOf(asAdmin)).toBe('unposted');
    // Without the confirmation, an admin's push is refused too.
    await asAdmin.getByTestId('sync-now').click();
    await eventually(() => asAdmin.getByTestId('book-old').count()).toBe(1);
    expect((await world.ledgerDocuments('invoice')).map((d) => d.number)).not.toContain('LATE-40');
    await asAdmin.getByTestId('book-old').click();
    const confirm = asAdmin.getByTestId('book-old-confirm');
    expect(await confirm.textContent()).toContain('LATE-40');
    await asAdmin.getByTestId('book-old-yes').click();
    await eventually(() => stateOf(asAdmin)).toBe('synced');
    expect((await world.ledgerDocuments('invoice')).map((d) => d.number)).toContain('LATE-40');
    const events = (await adminApi('GET', '/api/v1/events?record=invoice:7440')).body.events;
    expect(events.map((e: { kind: string }) => e.kind)).toContain('book_old_confirmed');
    await adminPage.close();
  });

  it('the workbench warns before a bulk push that includes old records, and leaves them out', async () => {
    const { world } = pod;
    await world.seedInvoices([
      invoice(7441, 'LATE-41', { date: '2023-08-01T00:00:00Z' }),
      invoice(7442, 'NEW-7442'),
    ]);
    await discoverUnposted(world.workerDeps(), world.tenant.id);
    const page = await pod.open('/today?tab=workbench', 'accountant');
    const tab = podFrame(page, '[data-panel=workbench] iframe');
    await tab.getByLabel('Select LATE-41').check();
    await tab.getByLabel('Select NEW-7442').check();
    await tab.getByTestId('push-selected').click();
    const warning = tab.getByTestId('old-records-warning');
    await eventually(() => warning.count()).toBe(1);
    const text = await warning.textContent();
    expect(text).toContain(
      '1 of the 2 selected records are dated on or before the onboarding cutoff (Dec 31, 2023)',
    );
    expect(text).toContain('LATE-41');
    expect(text).toContain('only an admin can book them');
    expect(await tab.getByTestId('push-with-old').count()).toBe(0);
    await screenshot(page, 'pod-workbench-old-records-warning');
    await tab.getByTestId('push-without-old').click();
    await world.waitForState(7442, ['synced']);
    const numbers = (await world.ledgerDocuments('invoice')).map((d) => d.number);
    expect(numbers).toContain('NEW-7442');
    expect(numbers).not.toContain('LATE-41');
    expect((await world.record(7441)).body).toMatchObject({ state: 'unposted', ledger: null });
    await page.close();
  });

  it('shows health in one place, and its callback fix registers the missing ConnectWise callback', async () => {
    const { page, tab } = await openAdmin();
    await tab.getByTestId('admin-health').click();
    const state = tab.getByTestId('callback-state');
    await eventually(() => state.textContent()).toBe('Not checked yet');
    const problems = tab.getByTestId('callback-problems');
    // Tests run with the schedule off, and the tab says so.
    expect(await problems.textContent()).toContain('the watchdog schedule is off');
    expect(await tab.getByTestId('health-qbo').count()).toBe(1);
    await screenshot(page, 'pod-admin-health-unchecked');
    await problems.getByRole('button', { name: 'Check callback now' }).click();
    await eventually(() => tab.getByRole('status').first().textContent()).toContain('Callback check queued');
    // The pass runs in a job; the tab shows its finding when reopened.
    await eventually(async () => {
      await tab.getByTestId('admin-activity').click();
      await tab.getByTestId('admin-health').click();
      return state.textContent();
    }).toBe('Registered (it was missing)');
    expect(await tab.getByTestId('callback-ok').count()).toBe(1);
    await screenshot(page, 'pod-admin-health-registered');
    await page.close();
  });

  it('is closed to accountants', async () => {
    const { page, tab } = await openAdmin('accountant');
    await eventually(() => tab.getByRole('status').first().textContent()).toContain('for Ledgerpod admins');
    await page.close();
  });
});
