import type { BudgetUse, HealthProblem } from '../../../contract/health.js';
import type { BudgetTiers } from '../../shared/config.js';
import { type MeterPeriod, providerOfKey, qboAppKey } from './periods.js';
import { noUsage, type Usage } from './usage.js';

/** One cap on one key in its current period, with what is used of it. */
export interface Budget {
  /** The metered key the cap is on (a connection's, or qbo:app for Intuit's app-wide one). */
  key: string;
  /** What it counts, for people: "QBO reads this month". */
  label: string;
  period: MeterPeriod;
  used: number;
  cap: number;
  /**
   * Month and day caps are spent pro rata (a month's allowance is not for its first week); a minute
   * is too short to pace within, so its cap is taken as a whole.
   */
  proRata: boolean;
}

/**
 * The budgets a call on `key` spends, from the configured tiers and the current use. Pure.
 * QBO: the connection's share of the app's monthly reads, and the app-wide total itself (when it is
 * spent, Intuit blocks the app for every customer); writes are free. Xero: the organisation's day
 * and minute. ConnectWise: the tenant's minute.
 */
export function budgetsOf(key: string, usage: Map<string, Usage>, tiers: BudgetTiers): Budget[] {
  const use = usage.get(key) ?? noUsage();
  const provider = providerOfKey(key);
  if (provider === 'qbo') {
    return [
      {
        key,
        label: 'QBO reads this month',
        period: 'month_read',
        used: use.month_read,
        cap: tiers.qboConnectionReadsPerMonth,
        proRata: true,
      },
      {
        key: qboAppKey,
        label: 'QBO reads this month, whole app (every customer)',
        period: 'month_read',
        used: (usage.get(qboAppKey) ?? noUsage()).month_read,
        cap: tiers.qboAppReadsPerMonth,
        proRata: true,
      },
    ];
  }
  if (provider === 'xero') {
    return [
      {
        key,
        label: 'Xero calls today',
        period: 'day',
        used: use.day,
        cap: tiers.xeroCallsPerDay,
        proRata: true,
      },
      {
        key,
        label: 'Xero calls this minute',
        period: 'minute',
        used: use.minute,
        cap: tiers.xeroCallsPerMinute,
        proRata: false,
      },
    ];
  }
  if (provider === 'cw') {
    return [
      {
        key,
        label: 'ConnectWise calls this minute',
        period: 'minute',
        used: use.minute,
        cap: tiers.cwCallsPerMinute,
        proRata: false,
      },
    ];
  }
  return [];
}

/** The keys whose use `budgetsOf` needs for `keys`. */
export const usageKeysFor = (keys: string[]) =>
  keys.some((k) => providerOfKey(k) === 'qbo') ? [...new Set([...keys, qboAppKey])] : [...new Set(keys)];

/** A budget as the health tab shows it (use against the tier, whether background waits now): the API's. */
export type { BudgetUse } from '../../../contract/health.js';

export function budgetUse(budget: Budget, deferredUntil: Date | undefined): BudgetUse {
  return {
    key: budget.key,
    label: budget.label,
    period: budget.period,
    used: budget.used,
    cap: budget.cap,
    percent: budget.cap > 0 ? Math.floor((100 * budget.used) / budget.cap) : 0,
    deferredUntil: deferredUntil ? deferredUntil.toISOString() : null,
  };
}

const envOf: Record<string, string> = {
  'QBO reads this month': 'QBO_CONNECTION_READS_PER_MONTH',
  'QBO reads this month, whole app (every customer)': 'QBO_APP_READS_PER_MONTH (a higher Intuit tier)',
  'Xero calls today': 'XERO_TIER (a higher Xero tier) or XERO_CALLS_PER_DAY',
  'Xero calls this minute': 'XERO_CALLS_PER_MINUTE',
  'ConnectWise calls this minute': 'CW_BUDGET_PER_MINUTE',
};

/** A health problem for each budget background work waits on now, with what to do about it. Pure. */
export function budgetProblems(uses: BudgetUse[]): HealthProblem[] {
  return uses
    .filter((u) => u.deferredUntil)
    .map((u) => ({
      code: 'budget_near_cap' as const,
      message: `${u.label}: ${u.used.toLocaleString('en-US')} of ${u.cap.toLocaleString('en-US')} (${u.percent}%). Background work (refreshes, sweeps, payment checks) waits until ${u.deferredUntil?.slice(0, 16).replace('T', ' ')} UTC; pushes and sign-ins still go first.`,
      fix: `Nothing is lost: the waiting work runs on its own once the budget allows. To allow more, the operator raises ${envOf[u.label] ?? 'the tier'}.`,
      action: 'none' as const,
    }));
}
