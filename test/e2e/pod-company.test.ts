import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../support/browser.js';
import { eventually, type Harness, openPage, podFrame, startHarness } from './pod-fixtures/pod-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 120_000);
afterAll(() => h?.close());

describe('the company pod', () => {
  it("shows the company's records by state and its AR balance in ConnectWise beside the books'", async () => {
    const page = await openPage(h, '/companies/19?member=viewer');
    const pod = podFrame(page);
    await eventually(() => pod.getByTestId('count-unposted').textContent()).toBe('Unposted 3');
    expect(await pod.getByTestId('count-error').textContent()).toBe('Failed 1');
    const ar = pod.getByTestId('ar-balance');
    expect(await ar.locator('td').allTextContents()).toEqual(['$4,052.63', '$3,052.63 differs']);
    expect(await ar.getAttribute('class')).toBe('mismatch');
    await screenshot(page, 'pod-company');
    await page.close();
  });

  it('says so when Ledgerpod has no records for the company', async () => {
    h.backend.store.records.clear();
    const page = await openPage(h, '/companies/20?member=viewer');
    await eventually(() => podFrame(page).getByRole('status').textContent()).toContain('no records');
    await page.close();
  });
});
