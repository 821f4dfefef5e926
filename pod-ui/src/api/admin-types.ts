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
  sweepMinutes: number;
  batchPrefix: string;
  roundingLimit: string;
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
