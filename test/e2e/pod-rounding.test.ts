import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realIskInvoice } from '../money/real-isk-invoice.js';
import { screenshot } from '../support/browser.js';
import { eventually, podFrame, type RealPod, startRealPod, stateOf } from './helpers/real-pod.js';

/**
 * Issue 13 item 2 in the browser: a CW ISK invoice of 4,546,628.64 (ISK has 0 decimals; domain.md §8)
 * booked in QuickBooks, which keeps ISK at 0 dp, at 4,546,629. The invoice pod, the real bundle in
 * real Chromium on the simulated CW screen, says so in words beside the amounts.
 */
const cwId = 9301;
let pod: RealPod;

beforeAll(async () => {
  pod = await startRealPod({ kind: 'qbo' });
  await pod.world.seedInvoices([realIskInvoice(cwId)]);
  await pod.world.pushRecord('invoice', cwId);
  await pod.world.waitForState(cwId, ['synced']);
});

afterAll(async () => {
  await pod?.close();
});

describe('the rounding note on a sub-unit ISK invoice', () => {
  it('shows what was booked against what ConnectWise shows, and the rounding', async () => {
    const page = await pod.open(`/invoices/${cwId}`, 'viewer');
    const frame = podFrame(page);
    await eventually(() => stateOf(frame)).toBe('synced');
    const note = frame.getByTestId('rounding-note');
    await eventually(() => note.count()).toBe(1);
    expect(await note.textContent()).toBe(
      'Booked 4,546,629 ISK; ConnectWise shows 4,546,628.64: rounding 0.36.',
    );
    // The amounts themselves differ by the rounding, and the pod marks the difference in words.
    const total = frame.getByTestId('amount-total');
    expect(await total.getAttribute('class')).toBe('mismatch');
    expect(await total.textContent()).toContain('differs');
    await screenshot(page, 'pod-invoice-rounding');
    await page.close();
  });
});
