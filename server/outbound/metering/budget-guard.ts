import type { Budget } from './budgets.js';
import { periodEnd, periodStart } from './periods.js';

/**
 * What a job does, for the guard's order. A person waits on pushes, sign-ins and what a member
 * asked for by hand: they always run. The rest is background and gives way near a cap.
 */
export type WorkKind =
  | 'push'
  | 'sign_in'
  | 'manual'
  | 'refresh'
  | 'sweep'
  | 'drift_check'
  | 'payment_poll'
  | 'payment_event';

export const isForeground = (work: WorkKind) => work === 'push' || work === 'sign_in' || work === 'manual';

/**
 * Where each background kind gives way, as a share of the way from `deferAt` to the cap itself: the
 * targeted read a ledger webhook asks for (a payment a customer is waiting to see in ConnectWise)
 * gives way last, half-way between where the rest stops and the cap, so near a cap refreshes, sweeps,
 * polls and drift checks stop first, then payment events, and pushes and sign-ins keep the rest.
 */
const givesWayAt: Record<Exclude<WorkKind, 'push' | 'sign_in' | 'manual'>, number> = {
  refresh: 0,
  sweep: 0,
  drift_check: 0,
  payment_poll: 0,
  payment_event: 0.5,
};

/** The share of a cap at which this background kind gives way. Pure. */
export const ceilingShareOf = (work: WorkKind, deferAt: number): number =>
  isForeground(work) ? 1 : deferAt + (1 - deferAt) * givesWayAt[work as keyof typeof givesWayAt];

export type GuardDecision =
  | { action: 'run' }
  | {
      action: 'defer';
      until: Date;
      /** The budget that holds it back longest, for logs and the health tab. */
      budget: Budget;
    };

/**
 * A pro-rata allowance starts a period with this much of it already open (a month: its first day's
 * share; a day: its first hour's), so background work is not held back at the start of each.
 */
const headroom = { month_read: 1 / 30, month_write: 1 / 30, day: 1 / 24, minute: 0 } as const;

/** Deferrals are at least this long, so a job at the edge does not come straight back. */
const minDeferMs = 1_000;

/**
 * Run or defer one piece of work against the budgets it spends. Pure.
 *
 * Foreground work always runs. Background work runs while every budget's use is under its share
 * s (ceilingShareOf: `deferAt`, more for payment events) × cap × (share of the period gone +
 * headroom) for pro-rata budgets, or under s × cap for a minute. Otherwise it is deferred until the
 * allowance has grown past the use (pro rata), or to the period's end once s × cap itself is spent;
 * over several budgets, until the latest of them.
 */
export function decideBudget(input: {
  work: WorkKind;
  budgets: Budget[];
  now: Date;
  deferAt: number;
}): GuardDecision {
  const { now } = input;
  if (isForeground(input.work)) return { action: 'run' };
  const deferAt = ceilingShareOf(input.work, input.deferAt);
  let decision: GuardDecision = { action: 'run' };
  for (const budget of input.budgets) {
    if (!(budget.cap > 0) || !Number.isFinite(budget.cap)) continue;
    const until = heldUntil(budget, now, deferAt);
    if (!until) continue;
    if (decision.action === 'run' || until > decision.until) decision = { action: 'defer', until, budget };
  }
  return decision;
}

function heldUntil(budget: Budget, now: Date, deferAt: number): Date | undefined {
  const start = periodStart(budget.period, now).getTime();
  const end = periodEnd(budget.period, now).getTime();
  const length = end - start;
  const ceiling = deferAt * budget.cap;
  const open = budget.proRata ? Math.min(1, (now.getTime() - start) / length + headroom[budget.period]) : 1;
  if (budget.used < ceiling * open) return undefined;
  const atLeast = now.getTime() + minDeferMs;
  if (!budget.proRata || budget.used >= ceiling) return new Date(Math.max(end, atLeast));
  // The moment the allowance passes the use: ceiling × (f + headroom) > used.
  const f = budget.used / ceiling - headroom[budget.period];
  return new Date(Math.min(end, Math.max(start + Math.ceil(f * length) + 1, atLeast)));
}
