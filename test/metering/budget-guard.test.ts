import { describe, expect, it } from 'vitest';
import { decideBudget, type WorkKind } from '../../server/outbound/metering/budget-guard.js';
import { type Budget, budgetsOf } from '../../server/outbound/metering/budgets.js';
import { qboAppKey } from '../../server/outbound/metering/periods.js';
import { noUsage } from '../../server/outbound/metering/usage.js';
import { loadConfig, publishedBudgetTiers } from '../../server/shared/config.js';

const month = (used: number, cap = 500_000): Budget => ({
  key: 'qbo:1',
  label: 'QBO reads this month',
  period: 'month_read',
  used,
  cap,
  proRata: true,
});
const minute = (used: number, cap = 60): Budget => ({
  key: 'xero:1',
  label: 'Xero calls this minute',
  period: 'minute',
  used,
  cap,
  proRata: false,
});
// Half-way through a 30-day month (15 days gone): the pro-rata ceiling is 0.8 × cap × (0.5 + 1/30).
const midMonth = new Date('2026-11-16T00:00:00Z');
const decide = (work: WorkKind, budgets: Budget[], now = midMonth) =>
  decideBudget({ work, budgets, now, deferAt: 0.8 });

describe('budget guard decision table', () => {
  // The kinds that give way at deferAt (payment events later: the ordering test below).
  const background: WorkKind[] = ['refresh', 'sweep', 'drift_check', 'payment_poll'];
  const foreground: WorkKind[] = ['push', 'sign_in', 'manual'];

  it.each(foreground)('%s always runs, even over every cap', (work) => {
    expect(decide(work, [month(600_000), minute(100)])).toEqual({ action: 'run' });
  });

  it.each(background)('%s runs while under the pro-rata allowance', (work) => {
    // 0.8 × 500,000 × (0.5 + 1/30) = 213,333
    expect(decide(work, [month(213_000)]).action).toBe('run');
  });

  it.each(background)(
    '%s is deferred past the pro-rata allowance, until the allowance catches up',
    (work) => {
      const decision = decide(work, [month(240_000)]);
      expect(decision.action).toBe('defer');
      if (decision.action !== 'defer') return;
      // 240,000 / 400,000 - 1/30 = 0.5667 of November (30 days): 17 days after the 1st.
      const expected =
        new Date('2026-11-01T00:00:00Z').getTime() + (240_000 / 400_000 - 1 / 30) * 30 * 86_400_000;
      expect(Math.abs(decision.until.getTime() - expected)).toBeLessThan(5);
      expect(decision.budget.label).toBe('QBO reads this month');
    },
  );

  it('once 80% of the cap itself is spent, background waits for the next month', () => {
    const decision = decide('sweep', [month(400_000)]);
    expect(decision).toMatchObject({ action: 'defer', until: new Date('2026-12-01T00:00:00Z') });
  });

  it('opens a day of the month at its start, so a new month does not hold everything back', () => {
    const start = new Date('2026-11-01T00:05:00Z');
    expect(decide('refresh', [month(10_000)], start).action).toBe('run');
    expect(decide('refresh', [month(14_000)], start).action).toBe('defer');
  });

  it('a minute cap is taken whole: deferred at 80% of it, to the next minute', () => {
    const now = new Date('2026-11-16T10:20:30Z');
    expect(decide('payment_poll', [minute(47)], now).action).toBe('run');
    expect(decide('payment_poll', [minute(48)], now)).toMatchObject({
      action: 'defer',
      until: new Date('2026-11-16T10:21:00Z'),
    });
  });

  it('over several budgets, the one that holds longest decides', () => {
    const now = new Date('2026-11-16T10:20:30Z');
    const decision = decide('refresh', [minute(50), month(400_000)], now);
    expect(decision).toMatchObject({ action: 'defer', until: new Date('2026-12-01T00:00:00Z') });
    if (decision.action === 'defer') expect(decision.budget.period).toBe('month_read');
    expect(decide('refresh', [minute(10), month(1_000)], now).action).toBe('run');
  });

  it('near a cap the background gives way in order: refreshes, sweeps, polls and drift checks first, then payment events, never pushes', () => {
    const now = new Date('2026-11-16T10:20:30Z');
    // A minute cap of 60: the rest stop at 48 (80%), payment events at 54 (90%), pushes never.
    const at = (used: number) =>
      (['refresh', 'sweep', 'payment_poll', 'drift_check', 'payment_event', 'push'] as const).map(
        (work) => decide(work, [minute(used)], now).action,
      );
    expect(at(47)).toEqual(['run', 'run', 'run', 'run', 'run', 'run']);
    expect(at(48)).toEqual(['defer', 'defer', 'defer', 'defer', 'run', 'run']);
    expect(at(53)).toEqual(['defer', 'defer', 'defer', 'defer', 'run', 'run']);
    expect(at(54)).toEqual(['defer', 'defer', 'defer', 'defer', 'defer', 'run']);
    expect(at(70)).toEqual(['defer', 'defer', 'defer', 'defer', 'defer', 'run']);
    // Pro rata the same order holds: mid-month the rest stop at 0.8 × (0.5 + 1/30) of the cap, payment
    // events at 0.9 × (0.5 + 1/30).
    expect(decide('sweep', [month(230_000)]).action).toBe('defer');
    expect(decide('payment_event', [month(230_000)]).action).toBe('run');
    expect(decide('payment_event', [month(241_000)]).action).toBe('defer');
  });

  it('a deferral is never shorter than a second (a minute about to end)', () => {
    const now = new Date('2026-11-16T10:20:59.900Z');
    const decision = decide('sweep', [minute(59)], now);
    expect(decision.action === 'defer' && decision.until.getTime() - now.getTime()).toBeGreaterThanOrEqual(
      1_000,
    );
  });
});

describe('budgets from the configured tiers', () => {
  const env = {
    SECRET_KEY: 'a'.repeat(64),
    SESSION_KEY: 'b'.repeat(64),
    DATABASE_URL: 'postgres://x@localhost/x',
  };
  const tiers = (extra: Record<string, string> = {}) => {
    const result = loadConfig({ ...env, ...extra });
    if (!result.ok) throw new Error(result.errors.join('; '));
    return result.config.budgets;
  };

  it('defaults from the published terms: Intuit 500,000 reads a month per app, Xero Starter 1,000 a day and 60 a minute, CW 600 a minute', () => {
    expect(tiers()).toEqual({
      qboAppReadsPerMonth: 500_000,
      qboConnectionReadsPerMonth: 5_000,
      xeroTier: 'starter',
      xeroCallsPerDay: 1_000,
      xeroCallsPerMinute: 60,
      cwCallsPerMinute: 600,
      deferAt: 0.8,
    });
    expect(tiers()).toEqual(publishedBudgetTiers);
    expect(tiers({ XERO_TIER: 'core' }).xeroCallsPerDay).toBe(5_000);
    expect(tiers({ XERO_TIER: 'core', XERO_CALLS_PER_DAY: '2500' }).xeroCallsPerDay).toBe(2_500);
  });

  it('a QBO connection spends its own share and the app-wide allowance; Xero its day and minute; CW its minute', () => {
    const usage = new Map([
      ['qbo:1', { ...noUsage(), month_read: 7, month_write: 3 }],
      [qboAppKey, { ...noUsage(), month_read: 900 }],
      ['xero:2', { ...noUsage(), day: 12, minute: 2 }],
    ]);
    expect(budgetsOf('qbo:1', usage, tiers()).map((b) => [b.key, b.used, b.cap])).toEqual([
      ['qbo:1', 7, 5_000],
      [qboAppKey, 900, 500_000],
    ]);
    expect(budgetsOf('xero:2', usage, tiers()).map((b) => [b.period, b.used, b.cap])).toEqual([
      ['day', 12, 1_000],
      ['minute', 2, 60],
    ]);
    expect(budgetsOf('cw:t', usage, tiers()).map((b) => [b.period, b.used, b.cap])).toEqual([
      ['minute', 0, 600],
    ]);
  });
});
