import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../support/browser.js';
import { post } from '../support/cw-tenant.js';
import { uiActionMs } from '../support/patience.js';
import { invoice } from '../support/pipeline-world.js';
import { eventually, podFrame, type RealPod, startRealPod, stateOf } from './helpers/real-pod.js';

/**
 * Issue 14 items 2 and 3 in real Chromium on the real product: a failed record whose fix is saved on
 * its ConnectWise screen is noticed ("Fixed: syncing") instead of showing the stale error, and
 * ConnectWise's Save asks the pod to check what would stop the push, answered without holding the
 * save for longer than the pod's budget.
 */
describe('the invoice pod notices fixes and checks saves', () => {
  let real: RealPod;
  beforeAll(async () => {
    real = await startRealPod({ editable: true });
    await real.world.seedInvoices([
      invoice(7301, 'FIX-7301', { closed: false }),
      invoice(7302, 'FIX-7302', { closed: false }),
      invoice(7303, 'CHK-7303', {
        lines: [{ description: 'Unmapped work', quantity: 1, unitPrice: 100, accountNumber: '4999' }],
      }),
      invoice(7304, 'CHK-7304'),
      // QuickBooks Online, the world's ledger, takes 21 characters (maxDocNumberLength); Xero 255.
      invoice(7305, 'CHK-7305-LONG-NUMBER-X', {
        lines: [
          { description: 'Managed services', quantity: 1, unitPrice: 500, accountNumber: '4000' },
          { description: 'Unmapped work', quantity: 1, unitPrice: 100, accountNumber: '4999' },
        ],
      }),
      invoice(7306, 'CHK-7306-LONG-NUMBER-X'),
      invoice(7307, 'CHK-7307-NUMBER-IS-21'),
    ]);
  });
  afterAll(() => real?.close());

  const world = () => real.world;
  const failedNotClosed = async (cwId: number) => {
    await world().pushRecord('invoice', cwId);
    const view = await world().waitForRecord('invoice', cwId, ['error']);
    expect(view.error!.code).toBe('not_closed');
  };
  /** ConnectWise's Save: the pods answer beforeSave, the change is saved, the screen reloads. */
  const saveAndReload = (page: Page) =>
    Promise.all([page.waitForEvent('load', { timeout: uiActionMs }), page.locator('#save-button').click()]);
  const ledgerLatency = (ms: number) => post(world().ledgerSim.url, '/__sim/latency', { ms });
  const eventsOf = async (cwId: number) =>
    ((await world().recordOf('invoice', cwId)).body.events as { kind: string }[]).map((e) => e.kind);

  it('closing a not-closed failure on its screen shows "Fixed: syncing" and syncs it, no Retry', async () => {
    await failedNotClosed(7301);
    const page = await real.open('/invoices/7301', 'accountant');
    const pod = podFrame(page);
    await eventually(() => pod.getByTestId('record-error').getAttribute('data-code')).toBe('not_closed');

    // The books answer slowly (within the world's 1.5 s ledger timeout), so the push the fix resumes
    // is still running when the screen reloads.
    await ledgerLatency(1_000);
    try {
      await page.getByLabel('Status').selectOption({ label: 'Closed' });
      await saveAndReload(page);
      await eventually(() => pod.getByTestId('fixed-note').textContent()).toBe('Fixed: syncing…');
      expect(await pod.getByTestId('record-error').count()).toBe(0);
      await screenshot(page, 'pod-invoice-fixed-syncing');
    } finally {
      await ledgerLatency(0);
    }
    await eventually(() => stateOf(pod)).toBe('synced');
    expect(await pod.getByTestId('fixed-note').count()).toBe(0);
    expect(await eventsOf(7301)).toContain('fixed_in_connectwise');
    expect((await world().ledgerDocuments('invoice')).filter((d) => d.number === 'FIX-7301')).toHaveLength(1);
    await page.close();
  });

  it('with syncWhenFixed off, the pod says fixed and ready instead of the stale error, and Retry syncs', async () => {
    await world().pod.services.tenants.updateSettings(world().tenant.id, { syncWhenFixed: false });
    try {
      await failedNotClosed(7302);
      const page = await real.open('/invoices/7302', 'accountant');
      const pod = podFrame(page);
      await eventually(() => pod.getByTestId('record-error').getAttribute('data-code')).toBe('not_closed');
      await page.getByLabel('Status').selectOption({ label: 'Closed' });
      await saveAndReload(page);

      await eventually(() => pod.getByTestId('fixed-note').textContent()).toBe(
        'Fixed in ConnectWise: ready to sync.',
      );
      expect(await stateOf(pod)).toBe('error');
      expect(await pod.getByTestId('record-error').count()).toBe(0);
      // Noticed once per failure, however often the screen loads.
      await page.reload();
      await eventually(() => pod.getByTestId('fixed-note').isVisible()).toBe(true);
      expect((await eventsOf(7302)).filter((k) => k === 'fixed_in_connectwise')).toHaveLength(1);

      await pod.getByTestId('sync-now').click();
      await eventually(() => stateOf(pod)).toBe('synced');
      await page.close();
    } finally {
      await world().pod.services.tenants.updateSettings(world().tenant.id, { syncWhenFixed: true });
    }
  });

  it("ConnectWise's Save shows every reason the push would fail, and the save goes through", async () => {
    const page = await real.open('/invoices/7303', 'accountant');
    const pod = podFrame(page);
    await pod.getByTestId('record-state').or(pod.getByTestId('record-empty')).first().waitFor();
    await page.locator('#save-button').click();
    await eventually(() => page.locator('#save-status').textContent()).toBe('Saved');
    const problem = pod.getByTestId('check-problem');
    await eventually(() => problem.first().getAttribute('data-code')).toBe('gl_account_unmapped');
    expect(await problem.count()).toBe(1);
    expect(await problem.first().locator('.problem-message').textContent()).toContain('4999');
    expect(await pod.getByTestId('check-document').count()).toBe(0);
    // Checked, not pushed: nothing reached the books.
    expect((await world().ledgerDocuments('invoice')).some((d) => d.number === 'CHK-7303')).toBe(false);
    await page.close();
  });

  it('a clean invoice shows the document its push will create; a slow check never holds the save', async () => {
    const page = await real.open('/invoices/7304', 'accountant');
    const pod = podFrame(page);
    await pod.getByTestId('record-state').or(pod.getByTestId('record-empty')).first().waitFor();

    // ConnectWise answers the check slowly: the save is answered on the pod's budget, before the check.
    await post(world().cw.url, '/__sim/latency', { ms: 4_000 });
    try {
      await page.locator('#save-button').click();
      await eventually(() => page.locator('#save-status').textContent()).toBe('Saved');
      expect(await pod.getByTestId('push-check').count()).toBe(0);
    } finally {
      await post(world().cw.url, '/__sim/latency', { ms: 0 });
    }
    await eventually(() => pod.getByTestId('check-document').textContent()).toMatch(
      /^Will create QuickBooks Online invoice CHK-7304 for .+: \$1,658\.93, tax \$126\.43, 2 lines\.$/,
    );
    expect(await pod.getByTestId('push-check').textContent()).toContain(
      'Nothing stops this record from syncing.',
    );
    await screenshot(page, 'pod-invoice-save-check');
    expect((await world().ledgerDocuments('invoice')).some((d) => d.number === 'CHK-7304')).toBe(false);
    await page.close();
  });

  const checkCodes = (pod: ReturnType<typeof podFrame>) =>
    pod.getByTestId('check-problem').evaluateAll((boxes) => boxes.map((b) => b.getAttribute('data-code')));
  const openAndSave = async (cwId: number) => {
    const page = await real.open(`/invoices/${cwId}`, 'accountant');
    const pod = podFrame(page);
    await pod.getByTestId('record-state').or(pod.getByTestId('record-empty')).first().waitFor();
    await page.locator('#save-button').click();
    await eventually(() => page.locator('#save-status').textContent()).toBe('Saved');
    return { page, pod };
  };

  it("ConnectWise's Save on an invoice with several problems shows each of them in the pod", async () => {
    const { page, pod } = await openAndSave(7305);
    await eventually(() => checkCodes(pod)).toEqual(['gl_account_unmapped', 'document_number_too_long']);
    const messages = await pod.getByTestId('check-problem').locator('.problem-message').allTextContents();
    expect(messages[0]).toContain('"4999"');
    expect(messages[1]).toBe(
      'Document number "CHK-7305-LONG-NUMBER-X" has 22 characters; QuickBooks Online allows at most 21.',
    );
    expect(await pod.getByTestId('check-document').count()).toBe(0);
    await screenshot(page, 'pod-invoice-save-check-problems');
    expect((await world().ledgerDocuments('invoice')).some((d) => d.number.startsWith('CHK-7305'))).toBe(
      false,
    );
    await page.close();
  });

  it("a number too long for the target ledger (QuickBooks Online's 21) is shown; 21 characters pass", async () => {
    const long = await openAndSave(7306);
    await eventually(() => checkCodes(long.pod)).toEqual(['document_number_too_long']);
    expect(await long.pod.getByTestId('check-problem').locator('.problem-hint').textContent()).toContain(
      'Shorten the invoice number',
    );
    expect(await long.pod.getByTestId('check-document').count()).toBe(0);
    await long.page.close();

    const fits = await openAndSave(7307);
    await eventually(() => fits.pod.getByTestId('check-document').textContent()).toMatch(
      /^Will create QuickBooks Online invoice CHK-7307-NUMBER-IS-21 for /,
    );
    expect(await fits.pod.getByTestId('check-problem').count()).toBe(0);
    await fits.page.close();
  });
});
