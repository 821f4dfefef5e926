import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../support/browser.js';
import { api } from '../support/cw-tenant.js';
import { eventually, podFrame, type RealPod, startRealPod } from './helpers/real-pod.js';

/** "4,321 of 5,000 (86%)" read back as numbers, with the percent checked against them. */
const parseUse = (text: string | null, cap: string) => {
  const match = new RegExp(`^([\\d,]+) of ${cap} \\((\\d+)%\\)$`).exec(text ?? '');
  const used = Number(match?.[1]?.replaceAll(',', ''));
  const total = Number(cap.replaceAll(',', ''));
  return { used, percentRight: match !== null && Number(match[2]) === Math.floor((100 * used) / total) };
};

/**
 * Issue 15 items 2 and 4: the health tab shows each connection's budget use against its tier, from
 * the shared meter, and says when background work waits on a budget (with its fix). Against the real
 * product, real Chromium, the simulated ConnectWise admin tab; the published tiers (domain.md §8).
 */
describe('budget use on the health tab', () => {
  let pod: RealPod;
  beforeAll(async () => {
    pod = await startRealPod({
      env: {
        QBO_APP_READS_PER_MONTH: '500000',
        QBO_CONNECTION_READS_PER_MONTH: '5000',
        CW_BUDGET_PER_MINUTE: '600',
      },
    });
  });
  afterAll(() => pod?.close());

  it('shows QBO reads against the connection share and the app-wide 500,000, and the deferral with its fix', async () => {
    const { world } = pod;
    const ledgerKey = `qbo:${world.connection.external_id}`;
    const meter = world.pod.services.meter;
    // This connection near its 5,000; another customer's reads count on the app-wide total only.
    for (let i = 0; i < 4_321; i++) meter.count(ledgerKey, 'read');
    for (let i = 0; i < 12_345; i++) meter.count('qbo:another-customer', 'read');
    for (let i = 0; i < 3; i++) meter.count(ledgerKey, 'write');
    await meter.flush();

    const health = await api(world.pod.url, world.token.admin, 'GET', '/api/v1/admin/health');
    expect(health.status).toBe(200);
    const [connection] = health.body.connections;
    expect(connection.budgets).toEqual([
      expect.objectContaining({ label: 'QBO reads this month', cap: 5_000 }),
      expect.objectContaining({ label: 'QBO reads this month, whole app (every customer)', cap: 500_000 }),
    ]);
    // What the product itself read counts too: at least what was counted here.
    expect(connection.budgets[0].used).toBeGreaterThanOrEqual(4_321);
    expect(connection.budgets[1].used).toBeGreaterThanOrEqual(connection.budgets[0].used + 12_345);
    expect(connection.writesThisMonth).toBeGreaterThanOrEqual(3);
    // 4,321 of 5,000 is past 80% of the whole month's: background waits, and says so.
    expect(connection.budgets[0].deferredUntil).not.toBeNull();
    expect(connection.budgets[1].deferredUntil).toBeNull();
    expect(connection.problems).toContainEqual(
      expect.objectContaining({
        code: 'budget_near_cap',
        action: 'none',
        fix: expect.stringContaining('QBO_CONNECTION_READS_PER_MONTH'),
      }),
    );
    expect(health.body.connectwise.budgets).toEqual([
      expect.objectContaining({ label: 'ConnectWise calls this minute', cap: 600, deferredUntil: null }),
    ]);

    const page = await pod.open('/today?tab=admin', 'admin', { width: 1280, height: 1000 });
    const tab = podFrame(page, '[data-panel=admin] iframe');
    await tab.getByTestId('admin-health').click();
    const own = tab.getByTestId('health-qbo-budget-0');
    await eventually(() => own.textContent()).toMatch(/^[\d,]+ of 5,000 \(\d+%\)$/);
    const shown = parseUse(await own.textContent(), '5,000');
    expect(shown.used).toBeGreaterThanOrEqual(4_321);
    expect(shown.percentRight).toBe(true);
    expect(await own.getAttribute('data-deferred')).toBe('true');
    const app = parseUse(await tab.getByTestId('health-qbo-budget-1').textContent(), '500,000');
    expect(app.used).toBeGreaterThanOrEqual(shown.used + 12_345);
    expect(app.percentRight).toBe(true);
    expect(await tab.getByTestId('health-qbo').textContent()).toContain(
      'QBO reads this month, whole app (every customer)',
    );
    expect(await tab.getByTestId('health-qbo-problems').textContent()).toContain(
      'Background work (refreshes, sweeps, payment checks) waits until',
    );
    expect(await tab.getByTestId('health-connectwise-budget-0').textContent()).toMatch(
      /^\d+ of 600 \(\d+%\)$/,
    );
    await screenshot(page, 'pod-admin-health-budgets');
    await page.close();
  });
});
