import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../support/browser.js';
import { api } from '../support/cw-tenant.js';
import { conditionMs } from '../support/patience.js';
import { invoice } from '../support/pipeline-world.js';
import { eventually, podFrame, type RealPod, startRealPod } from './helpers/real-pod.js';

/**
 * The month-end close in the workbench (issue 16 items 4 and 5) in real Chromium against the real
 * product: for a month, the readiness checklist with what each point found (records, payments
 * written through a date, unapplied credits, differences, the books' lock per connection), the open
 * records with their error and fix, the evidence as a printable page and a CSV; and ready once all
 * is done.
 */

let pod: RealPod;
const company = { id: 7400, identifier: 'CloseCo', name: 'Close Co' };
const dated = (cwId: number, number: string, day: string, extra = {}) =>
  invoice(cwId, number, { company, date: `${day}T00:00:00Z`, ...extra });
const ledgerIds = new Map<number, string>();
const closeBooks = (closeDate: string | null) =>
  pod.world.ledgerSim.control('POST', `/__sim/realms/${pod.world.ledgerSim.externalId}/close-books`, {
    closeDate,
  });
const asAccountant = (method: string, path: string, body?: unknown) =>
  api(pod.world.pod.url, pod.world.token.accountant, method, path, body);

beforeAll(async () => {
  // No schedules: payments and the drift check move only when the test asks.
  pod = await startRealPod({ env: { PAYMENTS_CHECK_MINUTES: '0', DRIFT_CHECK_MINUTES: '0' } });
  const { world } = pod;
  await closeBooks('2024-03-10');
  await world.seedInvoices([
    dated(7401, 'INV-7401', '2024-03-05'),
    dated(7402, 'INV-7402', '2024-03-15'),
    dated(7403, 'INV-7403', '2024-03-20'),
    dated(7404, 'CM-7404', '2024-03-22', {
      type: 'CreditMemo',
      lines: [{ description: 'Service credit', quantity: 1, unitPrice: 100, accountNumber: '4000' }],
    }),
  ]);
  for (const [type, cwId, state] of [
    ['invoice', 7401, 'error'],
    ['invoice', 7402, 'synced'],
    ['invoice', 7403, 'synced'],
    ['credit_memo', 7404, 'synced'],
  ] as const) {
    await world.pushRecord(type, cwId);
    const view = await world.waitForRecord(type, cwId, [state]);
    if (view.ledger) ledgerIds.set(cwId, view.ledger.id);
  }
  // A bookkeeper takes a payment on INV-7403 in QuickBooks; the drift check finds it missing in CW.
  await world.ledgerSim.recordPayment(ledgerIds.get(7403)!, '200.00');
  await asAccountant('POST', '/api/v1/records/invoice/7403/differences/check', {});
});

afterAll(async () => {
  await pod?.close();
});

const openClose = async () => {
  const page = await pod.open('/today?tab=workbench', 'accountant', { width: 1280, height: 1400 });
  const tab = podFrame(page, '[data-panel=workbench] iframe');
  const view = tab.getByTestId('close-view');
  await view.getByTestId('close-month').fill('2024-03');
  return { page, tab, view };
};

describe('the month-end close in the workbench', () => {
  it('shows what stands in the way of closing March, each point with what it found', async () => {
    const { page, tab, view } = await openClose();
    await eventually(() => view.getByTestId('close-ready').textContent()).toBe(
      'Not ready to close yet: see the points marked ✗.',
    );
    expect(await view.textContent()).toContain('Mar 1, 2024 to Mar 31, 2024');
    const point = (name: string) => view.getByTestId(`close-${name}`);
    expect(await point('records').textContent()).toBe(
      '✗ Records synced: 3 of 4; 1 record still open, listed below.',
    );
    expect(await point('payments').textContent()).toBe(
      '✓ Payments of the period written to ConnectWise: 0 written, 0 waiting, 0 failed.',
    );
    // The simulator's connection is named after its ledger alone: not named twice.
    const label = pod.world.connection.name;
    expect(label).toBe('QuickBooks Online');
    expect(await point('payments-through').textContent()).toBe(
      `✗ Payments from the books, per connection:${label}: payments never read from the books yet; sync payments below.`,
    );
    expect(await point('credits').textContent()).toBe('ℹ Unapplied credits: CM-7404 ($108.25 left).');
    expect(await point('differences').textContent()).toBe(
      '✗ Differences from the books: 1 record (INV-7403); fix them in the Differences queue.',
    );
    const lock = view.getByTestId('books-lock');
    expect(await lock.getAttribute('data-state')).toBe('locked');
    expect(await lock.textContent()).toBe(
      `${label}: locked through Mar 10, 2024 (QuickBooks Online's closing date); pushes dated then or before are refused.`,
    );
    // The open record, with why and the fix: the push into the locked period was refused before any call.
    const open = view.getByTestId('close-open-row');
    expect(await open.count()).toBe(1);
    expect(await open.getAttribute('data-code')).toBe('period_locked');
    const row = await open.textContent();
    expect(row).toContain('INV-7401Mar 5, 2024failed');
    expect(row).toContain(
      "The books are locked for this date: Invoice INV-7401 is dated Mar 5, 2024, on or before QuickBooks Online's closing date, Mar 10, 2024",
    );
    expect(row).toMatch(/Reopen the period in the books .* then sync again; nothing was booked/);
    await screenshot(page, 'workbench-close-not-ready');

    // The printable evidence: every record of March once, with its ledger document and batch.
    await view.getByTestId('evidence-printable').click();
    const printable = tab.frameLocator('[data-testid=evidence-page]');
    await eventually(() => printable.locator('tr[data-record]').count()).toBe(4);
    expect(await printable.locator('h1').textContent()).toBe('Ledgerpod evidence, 2024-03-01 to 2024-03-31');
    const printed = printable.locator('tr[data-record="invoice:7402"]');
    expect(await printed.textContent()).toContain(ledgerIds.get(7402)!);
    expect(await printed.textContent()).toContain('LP-INV-7402');
    expect(await printable.locator('body').textContent()).toContain('4 records.');
    expect(await view.getByTestId('evidence-print').isVisible()).toBe(true);

    // The CSV: the same records, once each, downloaded with the member's session.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      view.getByTestId('evidence-csv').click(),
    ]);
    expect(download.suggestedFilename()).toBe('ledgerpod-evidence-2024-03-01-to-2024-03-31.csv');
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toMatch(/^"Type","CW id","Number","Date","Company","State",/);
    expect(lines.filter((l) => /^"(invoice|credit_memo)","74\d\d"/.test(l))).toHaveLength(4);
    expect(lines.find((l) => l.includes('"INV-7401"'))).toContain('"error"');
    await page.close();
  });

  it('is ready once the record is pushed, the payment written and the books agree', async () => {
    await closeBooks(null);
    await pod.world.pushRecord('invoice', 7401);
    await pod.world.waitForRecord('invoice', 7401, ['synced']);
    const found = await asAccountant('GET', '/api/v1/records/invoice/7403/differences');
    const fixed = await asAccountant('POST', '/api/v1/records/invoice/7403/differences/fix', {
      code: 'payment_missing_in_cw',
      ref: found.body.differences[0].fix.ref,
    });
    expect(fixed.body).toMatchObject({ fixed: true, differences: [] });
    expect((await asAccountant('POST', '/api/v1/payments/sync', {})).status).toBe(202);
    await expect
      .poll(
        async () =>
          (await asAccountant('GET', '/api/v1/close?from=2024-03-01&to=2024-03-31')).body.connections[0]
            .paymentsThrough,
        { timeout: conditionMs },
      )
      .not.toBeNull();

    const { page, view } = await openClose();
    await eventually(() => view.getByTestId('close-ready').textContent()).toBe(
      'Ready to close: every record synced, payments written, no differences.',
    );
    expect(await view.getByTestId('close-records').textContent()).toBe('✓ Records synced: 4 of 4.');
    expect(await view.getByTestId('close-differences').textContent()).toBe(
      '✓ Differences from the books: none.',
    );
    const yesterday = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(
      new Date(Date.now() - 86_400_000),
    );
    expect(await view.getByTestId('payments-through').textContent()).toBe(
      `${pod.world.connection.name}: every payment in the books written to ConnectWise through ${yesterday}.`,
    );
    expect(await view.getByTestId('books-lock').textContent()).toMatch(
      /: not locked; lock the period in the books once it is closed\.$/,
    );
    expect(await view.getByTestId('close-open').count()).toBe(0);
    await screenshot(page, 'workbench-close-ready');
    await page.close();
  });
});
