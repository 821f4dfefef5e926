/** The backend's JSON contract, as the pod reads it. Money is decimal text, never a float. */
export type RecordType = 'invoice' | 'credit_memo' | 'expense' | 'procurement' | 'adjustment';

export type RecordState =
  | 'unposted'
  | 'queued'
  | 'exported'
  | 'pushed'
  | 'synced'
  | 'partly_paid'
  | 'paid'
  | 'onboarded'
  | 'error'
  | 'not_closed'
  | 'unknown';

export type Role = 'viewer' | 'accountant' | 'admin';
export type LedgerKind = 'qbo' | 'xero';

export interface Problem {
  code: string;
  message: string;
  hint?: string;
}

/** A CW code a mapping failure lacks, in the connection the record routes to. */
export interface Unmapped {
  connectionId: string;
  kind: 'gl_account' | 'tax_code';
  cwKey: string;
}

export interface RecordError extends Problem {
  retryable: boolean;
  unmapped?: Unmapped[];
}

export interface Payment {
  id: string;
  amount: string;
  date: string;
  state: 'pending' | 'written' | 'deleted' | 'error';
  cwPaymentId: string | number;
}

export interface RecordEvent {
  at: string;
  actor: string;
  kind: string;
  fromState: RecordState | null;
  toState: RecordState | null;
  /** What was done: request ids, idempotency keys, ids created (an object from the backend). */
  detail: Record<string, unknown> | string;
}

export interface RecordDetail {
  record: {
    type: RecordType;
    cwId: string | number;
    number: string;
    date: string;
    company: { id: string | number; name: string };
    currency: string;
    decimals: number;
    total: string;
    balance: string;
  };
  state: RecordState;
  cw: { batch: { id: string | number | null; identifier: string } | null };
  ledger: {
    kind: LedgerKind;
    id: string;
    number: string;
    url: string;
    total: string;
    balance: string;
    status: string;
  } | null;
  payments: Payment[];
  error: RecordError | null;
  events: RecordEvent[];
}

export interface RecordRow {
  type: RecordType;
  cwId: string | number;
  number: string;
  date: string;
  company: { id: string | number; name: string };
  total: string;
  currency: string;
  state: RecordState;
  error: RecordError | null;
  ledger: { kind: LedgerKind; number: string; url: string } | null;
}

export type StateCounts = Partial<Record<RecordState, number>>;

export interface RecordList {
  records: RecordRow[];
  counts: StateCounts;
  nextCursor: string | null;
}

export interface CompanySummary {
  company: { id: string | number; name: string };
  counts: StateCounts;
  arBalance: { currency: string; cw: string; ledger: string | null };
}
