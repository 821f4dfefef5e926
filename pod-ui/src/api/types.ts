import type { Difference } from './differences.js';
/** The backend's JSON contract, as the pod reads it. Money is decimal text, never a float. */
export type RecordType = 'invoice' | 'credit_memo' | 'expense' | 'procurement' | 'adjustment' | 'transfer';

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

/** A payment received in the books, which Ledgerpod writes to the ConnectWise invoice. */
export interface Payment {
  id: string;
  kind: 'payment';
  source: 'books';
  /** The books' own payment id. */
  reference: string;
  amount: string;
  date: string;
  state: 'pending' | 'written' | 'deleted' | 'voided' | 'error';
  cwPaymentId: string | number | null;
}

/**
 * A credit memo applied in ConnectWise, and made in the books by Ledgerpod. `other` is the credit
 * memo on an invoice, the invoice on a credit memo.
 */
export interface Credit {
  id: string;
  kind: 'credit';
  source: 'connectwise';
  other: { type: RecordType; cwId: string | number; number: string };
  amount: string;
  date: string;
  state: 'pending' | 'applying' | 'applied' | 'error';
  cwPaymentId: string | number | null;
  ledgerApplicationId: string | null;
  error: Problem | null;
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

/** Amounts are signed as ConnectWise shows them: a credit memo's total and balance are negative. */
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
  /** The last check against the books (differences.ts), null when never checked; absent in older answers. */
  drift?: { checkedAt: string; differences: Difference[] } | null;
  /** Onboarded history: its fix onboards it again (batched without posting), never pushes it. */
  onboarding: { runId: string } | null;
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
  /** When ConnectWise's figures and the books' were last read (ISO), null where never. */
  checked: { connectWise: string | null; books: string | null };
  payments: Payment[];
  credits: Credit[];
  /** The server's note when the books were given a rounding line or hold a total other than CW's. */
  rounding: { cw: string; booked: string; difference: string; line: string; message: string } | null;
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
  onboarding: { runId: string } | null;
  error: RecordError | null;
  ledger: { kind: LedgerKind; number: string; url: string } | null;
}

export type StateCounts = Partial<Record<RecordState, number>>;

export interface RecordList {
  records: RecordRow[];
  counts: StateCounts;
  nextCursor: string | null;
  /** Records dated on or before it are history already in the books (null: never onboarded). */
  onboardingCutoff?: string | null;
}

export interface CompanySummary {
  company: { id: string | number; name: string };
  counts: StateCounts;
  arBalance: { currency: string; cw: string; ledger: string | null };
}

/** The document a push would create now (server/pipeline/push-check.ts). */
export interface DocumentPreview {
  ledger: LedgerKind;
  connectionName: string;
  type: 'invoice' | 'credit_memo' | 'bill' | 'journal';
  number: string;
  party: string;
  currency: string;
  total: string;
  tax: string;
  lines: number;
}

/** What would stop a push now, every reason at once, and the document it would create. */
export interface PushCheck {
  posted: boolean;
  problems: Problem[];
  document: DocumentPreview | null;
}

/** A check, and whether it found a failed record fixed (and its push asked for again). */
export interface Recheck {
  check: PushCheck;
  fixed: boolean;
  syncing: boolean;
  record: RecordDetail | null;
}
