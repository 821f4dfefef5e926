import { describe, expect, it } from 'vitest';
import { isWeekend, monthPlan } from '../../bench/support/month-plan.js';

describe("bench/quota.ts's month plan", () => {
  const options = { tenants: 40, days: 30, seed: 15, idleShare: 0.2, perBusinessDay: 2 };
  const plan = monthPlan(options);
  const perDay = (day: number) => plan.invoices.filter((i) => i.day === day).length;

  it('is the same for the same seed', () => {
    expect(monthPlan(options)).toEqual(plan);
  });

  it('leaves the idle tenants without activity, the first ones, both ledgers among them', () => {
    expect([...plan.idle]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(plan.invoices.some((i) => plan.idle.has(i.tenant))).toBe(false);
  });

  it('bills less at weekends and most in the last two business days', () => {
    const days = Array.from({ length: 30 }, (_, d) => d);
    const weekend = days.filter(isWeekend);
    const business = days.filter((d) => !isWeekend(d));
    const monthEnd = business.slice(-2);
    const ordinary = business.slice(0, -2);
    const mean = (ds: number[]) => ds.reduce((n, d) => n + perDay(d), 0) / ds.length;
    expect(mean(weekend)).toBeLessThan(mean(ordinary) / 3);
    expect(mean(monthEnd)).toBeGreaterThan(mean(ordinary) * 2.5);
  });

  it('pays invoices days later within the month, some in part, never a credit memo', () => {
    const paid = plan.invoices.filter((i) => i.paidOn !== undefined);
    expect(paid.length).toBeGreaterThan(plan.invoices.length * 0.3);
    for (const p of paid) {
      expect(p.credit).toBe(false);
      expect(p.paidOn! - p.day).toBeGreaterThanOrEqual(3);
      expect(p.paidOn!).toBeLessThan(30);
    }
    expect(paid.some((p) => p.part === 0.5)).toBe(true);
    expect(plan.invoices.some((i) => i.credit)).toBe(true);
  });
});
