import type { LedgerKind, Problem, RecordType, Role } from './types.js';

export interface Connection {
  id: string;
  kind: LedgerKind;
  name: string;
  externalId: string;
  status: 'active' | 'needs_reconnect' | 'disconnected';
  statusReason: string | null;
  cwLocationIds: number[];
  isDefault: boolean;
  /** QBO: how the company takes tax, read when it was connected; null for Xero or not yet known. */
  taxSetup: { model: 'us' | 'global' | 'no_tax'; country: string; automatedSalesTax: boolean } | null;
}

/** A ConnectWise location, as its list names it. */
export interface CwLocation {
  id: number;
  name: string;
}

export type MappingKind = 'gl_account' | 'tax_code' | 'class' | 'item' | 'terms';

export interface Mapping {
  kind: MappingKind;
  cwKey: string;
  ledgerKey: string;
  ledgerName: string;
}

export interface Option {
  key: string;
  name: string;
  detail?: string;
}

export interface MappingSet {
  mappings: Mapping[];
  cw: { glAccounts: Option[]; taxCodes: Option[]; classes: Option[]; items: Option[]; terms: Option[] };
  ledger: { accounts: Option[]; taxCodes: Option[]; classes: Option[]; items: Option[]; terms: Option[] };
}

/** A ConnectWise security role, and the Ledgerpod role it gets while the role map leaves it out. */
export interface SecurityRole {
  id: number;
  name: string;
  defaultRole: Role | 'none';
}

export interface Settings {
  roleMap: Record<string, Role | 'none'>;
  syncOnClose: boolean;
  /** A failed record is pushed again once ConnectWise shows it fixed. */
  syncWhenFixed: boolean;
  sweepMinutes: number;
  batchPrefix: string;
  roundingLimit: string;
  /** How ledger payments reach a CW invoice: a CW payment each, or one CW payment per invoice. */
  cwPaymentsPerInvoice: 'many' | 'one';
}

export interface OnboardingRequest {
  batchPrefix: string;
  cutoffDate: string;
  paymentsFrom?: string;
  recordTypes: RecordType[];
  dryRun?: boolean;
}

export interface OnboardingFailure extends Problem {
  type: RecordType;
  cwId: string | number;
  number: string;
  /** Where the record stands now (a kept run re-opened after fixes shows them onboarded). */
  recordState?: string;
}

/** One kept onboarding run, as the admin tab's run history lists it. */
export interface OnboardingRun {
  id: string;
  state: 'pending' | 'running' | 'done' | 'failed';
  inputs: OnboardingRequest;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  durationSeconds: number;
  total: number;
  done: number;
  failed: number;
}

export interface DryRun {
  dryRun: true;
  counts: Partial<Record<RecordType, number>>;
  failures: OnboardingFailure[];
}

export interface OnboardingProgress {
  state: 'pending' | 'running' | 'done' | 'failed';
  total: number;
  done: number;
  failed: number;
  byType: Partial<Record<RecordType, { total: number; done: number; failed: number }>>;
  ratePerMinute: number;
  etaSeconds: number | null;
  errors: OnboardingFailure[];
}

export interface DailyStat {
  day: string;
  synced: number;
  errors: number;
}

/** GET /api/v1/admin/health (server/ledgers/connections/connection-health.ts). */
export interface HealthProblem {
  code: string;
  message: string;
  fix: string;
  action: 'reconnect' | 'check-callback' | 'check-payments' | 'none';
}

export interface CallbackHealth {
  state: 'healthy' | 're-enabled' | 'registered' | 'failed' | 'unchecked';
  checkedAt: string | null;
  repairedAt: string | null;
  repairedProblem: 'disabled' | 'missing' | null;
  backfilledCount: number;
  lastCallbackAt: string | null;
  callbacksLastDay: number;
  problems: HealthProblem[];
}

/** One budget's use against the tier (server/outbound/metering/budgets.ts BudgetUse). */
export interface BudgetUse {
  key: string;
  label: string;
  period: 'month_read' | 'month_write' | 'day' | 'minute';
  used: number;
  cap: number;
  percent: number;
  /** Background work on this budget waits until then (ISO), or null. */
  deferredUntil: string | null;
}

export interface ConnectionHealth {
  id: string;
  kind: LedgerKind;
  name: string;
  status: Connection['status'];
  accessExpiresAt: string;
  lastWebhookAt: string | null;
  paymentsCheckedThrough: string | null;
  problems: HealthProblem[];
  budgets: BudgetUse[];
  /** QBO only: writes this month, which Intuit does not meter. */
  writesThisMonth?: number;
}

export interface Health {
  connectwise: { budgets: BudgetUse[]; problems: HealthProblem[] };
  callback: CallbackHealth;
  connections: ConnectionHealth[];
}
