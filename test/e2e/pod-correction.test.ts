import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../support/browser.js';
import { api, post } from '../support/cw-tenant.js';
import { invoice } from '../support/pipeline-world.js';
import { eventually, podFrame, type RealPod, startRealPod } from './helpers/real-pod.js';

/**
 * The one-click correction (issue 16 item 2) in real Chromium against the real product and the Xero
 * simulator: an invoice paid in Xero, then edited in ConnectWise, shows what will change in the
 * books (and that its payment comes off and goes back on), and "Correct in the books" ends with one
 * document at the new total, the payment intact and one batch. A technician is not offered it.
 */

let pod: RealPod;
let ledgerId: string;
const lines = [
  { description: 'Managed services May', quantity: 1, unitPrice: 1200, accountNumber: '4000' },
  { description: 'Onsite labour', quantity: 3.5, unitPrice: 95, accountNumber: '4000' },
];

beforeAll(async () => {
  pod = await startRealPod({ kind: 'xero', env: { PAYMENTS_CHECK_MINUTES: '0', DRIFT_CHECK_MINUTES: '0' } });
  const { world } = pod;
  await world.seedInvoices([invoice(7401, 'INV-7401', { lines })]);
  await world.pushRecord('invoice', 7401);
  ledgerId = (await world.waitForRecord('invoice', 7401, ['synced'])).ledger!.id;
  await post(world.ledgerSim.url, `/__sim/tenants/${world.ledgerSim.externalId}/payments`, {
    invoiceId: ledgerId,
    amount: '1658.93',
    date: '2024-05-20',
  });
  await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/payments/sync', {});
  await world.waitFor(
    7401,
    (v) => v.state === 'paid' && v.payments.some((p: { state: string }) => p.state === 'written'),
    'paid, its payment written to ConnectWise',
  );
  // Edited in ConnectWise after it synced: one more line.
  await world.seedInvoices([
    invoice(7401, 'INV-7401', {
      lines: [
        ...lines,
        { description: 'Onsite labour (missed)', quantity: 2, unitPrice: 100, accountNumber: '4000' },
      ],
    }),
  ]);
  // The drift check finds the books' total apart from ConnectWise's.
  await api(
    world.pod.url,
    world.token.accountant,
    'POST',
    '/api/v1/records/invoice/7401/differences/check',
    {},
  );
});

afterAll(async () => {
  await pod?.close();
});

describe('correcting an invoice edited in ConnectWise after it synced', () => {
  it('is not offered to a technician', async () => {
    const page = await pod.open('/invoices/7401', 'viewer');
    const frame = podFrame(page);
    await eventually(() => frame.getByTestId('record-state').textContent()).toBeTruthy();
    expect(await frame.getByTestId('correction').count()).toBe(0);
    await page.close();
  });

  it('previews the change, and one click corrects the books with the payment put back', async () => {
    const page = await pod.open('/invoices/7401', 'accountant');
    const frame = podFrame(page);
    const changes = frame.getByTestId('correction-changes');
    await eventually(() => changes.textContent()).toContain('Total: $1,658.93 → $1,875.43');
    expect(await frame.getByTestId('correction-unapply').textContent()).toMatch(
      /^Xero refuses to edit a paid invoice: the payment of \$1,658\.93 \(May 20, 2024\) comes off first and goes back on after, once\.$/,
    );
    await screenshot(page, 'pod-invoice-correction');
    await frame.getByTestId('correct-in-books').click();
    await eventually(() => frame.getByTestId('correction-done').textContent()).toBe(
      'Corrected in Xero: INV-7401 now matches ConnectWise, its payments put back.',
    );
    await eventually(() => frame.getByTestId('record-state').textContent()).toBe('Partly paid');
    const { world } = pod;
    const documents = (await world.ledgerDocuments('invoice')).filter((d) => d.number === 'INV-7401');
    expect(documents.map((d) => [d.id, d.total, d.balance])).toEqual([[ledgerId, 1875.43, 216.5]]);
    const cw = await world.cwState();
    expect(cw.batches.filter((b) => b.batchIdentifier === 'LP-INV-7401')).toHaveLength(1);
    expect(cw.payments.filter((p) => p.invoice.id === 7401).map((p) => p.amount)).toEqual([1658.93]);
    await page.close();
  });
});
