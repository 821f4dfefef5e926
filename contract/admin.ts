import type { ConnectionStatus } from './close.js';
import type { Problem } from './problems.js';
import type { LedgerKind, RecordType } from './records.js';

/** A member's Ledgerpod role, from the tenant's map of ConnectWise security roles. */
export const roles = ['viewer', 'accountant', 'admin'] as const;
export type Role = (typeof roles)[number];

/** GET /api/v1/connections: a ledger connection and where records route to it. */
export interface Connection {
  id: string;
  kind: LedgerKind;
  name: string;
  externalId: string;
  status: ConnectionStatus;
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

export const mappingKinds = ['gl_account', 'tax_code', 'class', 'item', 'terms'] as const;
export type MappingKind = (typeof mappingKinds)[number];

export interface Mapping {
  kind: MappingKind;
  cwKey: string;
  ledgerKey: string;
  ledgerName: string;
}

/** Something a mapping can name, on either side. */
export interface Option {
  key: string;
  name: string;
  detail?: string;
}

/** GET /api/v1/mappings: a connection's mappings and what each side offers. */
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

/** The settings the admin tab edits (the server answers more: lastSweepAt...). */
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

export type OnboardingState = 'pending' | 'running' | 'done' | 'failed';

/** One kept onboarding run, as the admin tab's run history lists it. */
export interface OnboardingRun {
  id: string;
  state: OnboardingState;
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
  state: OnboardingState;
  total: number;
  done: number;
  failed: number;
  byType: Partial<Record<RecordType, { total: number; done: number; failed: number }>>;
  ratePerMinute: number;
  etaSeconds: number | null;
  errors: OnboardingFailure[];
}

/** GET /api/v1/stats/daily: one day's synced records and errors. */
export interface DailyStat {
  day: string;
  synced: number;
  errors: number;
}
