import type { ConnectionStatus } from './close.js';
import type { LedgerKind } from './records.js';

/** What the pod's button for a health problem does. */
export type FixAction = 'reconnect' | 'check-callback' | 'check-payments' | 'none';

export interface HealthProblem {
  code: string;
  /** What is wrong, and why it matters. */
  message: string;
  /** What to do about it. */
  fix: string;
  action: FixAction;
}

export type CallbackWatchState = 'healthy' | 're-enabled' | 'registered' | 'failed';

/** The tenant's ConnectWise callback, as the watchdog last found it. */
export interface CallbackHealth {
  state: CallbackWatchState | 'unchecked';
  checkedAt: string | null;
  repairedAt: string | null;
  repairedProblem: 'disabled' | 'missing' | null;
  backfilledCount: number;
  lastCallbackAt: string | null;
  callbacksLastDay: number;
  problems: HealthProblem[];
}

export type BudgetPeriod = 'month_read' | 'month_write' | 'day' | 'minute';

/** A budget as the health tab shows it: use against the tier, and whether background waits now. */
export interface BudgetUse {
  key: string;
  label: string;
  period: BudgetPeriod;
  used: number;
  cap: number;
  /** Whole percent of the cap used. */
  percent: number;
  /** When background work on it is deferred now, until when (ISO), or null. */
  deferredUntil: string | null;
}

export interface ConnectionHealth {
  id: string;
  kind: LedgerKind;
  name: string;
  status: ConnectionStatus;
  accessExpiresAt: string;
  lastWebhookAt: string | null;
  paymentsCheckedThrough: string | null;
  problems: HealthProblem[];
  budgets: BudgetUse[];
  /** QBO only: writes this month, which Intuit does not meter. */
  writesThisMonth?: number;
}

/** GET /api/v1/admin/health. */
export interface Health {
  connectwise: { budgets: BudgetUse[]; problems: HealthProblem[] };
  callback: CallbackHealth;
  connections: ConnectionHealth[];
}
