import type { Difference } from './differences.js';
import type { Problem, RecordError } from './problems.js';
import type { LedgerKind, RecordState, RecordType } from './record-state.js';

/** Records as the API shows them. Money is decimal text in the record's currency, never a float. */

// The unions are declared in record-state.ts (differences.ts uses them too, without a cycle back here).
export type { LedgerKind, RecordState, RecordType } from './record-state.js';

export type PaymentState = 'pending' | 'written' | 'deleted' | 'voided' | 'error';
export type CreditState = 'pending' | 'applying' | 'applied' | 'error';

/** A payment received in the books, which Ledgerpod writes to the ConnectWise invoice. */
export interface Payment {
  id: string;
  kind: 'payment';
  source: 'books';
  /** The books' own payment id (QuickBooks Payment Id, Xero PaymentID). */
  reference: string;
  amount: string;
  date: string;
  state: PaymentState;
  cwPaymentId: number | null;
}

/**
 * A credit memo applied in ConnectWise, and made in the books by Ledgerpod. `other` is the credit
 * memo on an invoice, the invoice on a credit memo.
 */
export interface Credit {
  id: string;
  kind: 'credit';
  source: 'connectwise';
  other: { type: RecordType; cwId: number; number: string };
  amount: string;
  date: string;
  /** Where the books stand: applied there, waiting to be, or refused (its error). */
  state: CreditState;
  cwPaymentId: number | null;
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

/** The note set when the books were given a rounding line or hold a total other than CW's. */
export interface RoundingNote {
  cw: string;
  booked: string;
  difference: string;
  line: string;
  message: string;
}

/**
 * GET /api/v1/records/:type/:cwId. Amounts are signed as ConnectWise shows them: a credit memo's
 * total and balance are negative (the books' figures beside them too).
 */
export interface RecordDetail {
  record: {
    type: RecordType;
    cwId: number;
    number: string;
    date: string | null;
    company: { id: number | null; name: string };
    currency: string;
    decimals: number;
    total: string;
    balance: string;
  };
  state: RecordState;
  /** The last check against the books (differences.ts), null when never checked. */
  drift: { checkedAt: string; differences: Difference[] } | null;
  /** Onboarded history: its fix onboards it again (batched without posting), never pushes it. */
  onboarding: { runId: string } | null;
  cw: { batch: { id: number | null; identifier: string } | null };
  ledger: {
    kind: LedgerKind;
    id: string;
    number: string;
    url: string | null;
    total: string | null;
    balance: string | null;
    status: string | null;
  } | null;
  /** When ConnectWise's figures and the books' were last read (ISO), null where never. */
  checked: { connectWise: string | null; books: string | null };
  payments: Payment[];
  credits: Credit[];
  rounding: RoundingNote | null;
  error: RecordError | null;
  events: RecordEvent[];
}

/** A record as the workbench lists it (GET /api/v1/records). */
export interface RecordRow {
  type: RecordType;
  cwId: number;
  number: string;
  date: string | null;
  company: { id: number | null; name: string };
  total: string;
  currency: string;
  state: RecordState;
  onboarding: { runId: string } | null;
  error: RecordError | null;
  ledger: { kind: LedgerKind; number: string; url: string | null } | null;
}

export type StateCounts = Partial<Record<RecordState, number>>;

export interface RecordList {
  records: RecordRow[];
  counts: StateCounts;
  nextCursor: string | null;
  /** Records dated on or before it are history already in the books (null: never onboarded). */
  onboardingCutoff?: string | null;
}

/** The record an audit event belongs to (its number null where the record row has none). */
export interface EventRecord {
  type: RecordType;
  cwId: number;
  number: string | null;
}

/** GET /api/v1/events: an audit event with the record it belongs to (the tenant-wide log). */
export interface AuditEvent extends RecordEvent {
  id?: string;
  record?: EventRecord | string | null;
}

/** A record a bulk push left out: dated on or before the onboarding cutoff. */
export interface RefusedRecord {
  type: RecordType;
  cwId: number;
  number: string;
  code: string;
  message: string;
}

/** GET /api/v1/companies/:cwId/summary. */
export interface CompanySummary {
  company: { id: string | number; name: string };
  counts: StateCounts;
  arBalance: { currency: string; cw: string; ledger: string | null };
}

/** A queue's money: one amount per currency. */
export interface QueueTotal {
  currency: string;
  amount: string;
}

/**
 * GET /api/v1/stats/queues: the workbench's queues (a push refused as not closed is in not_closed,
 * not error), each one's count, and (per queue and `all`) the sum of its records' totals.
 */
export interface QueueSummary {
  counts: StateCounts;
  totals: Partial<Record<RecordState | 'all', QueueTotal[]>>;
}
