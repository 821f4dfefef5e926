import type { Problem } from './problems.js';
import type { LedgerKind, RecordState, RecordType } from './records.js';

/** A period of the month-end close, as YYYY-MM-DD days. */
export interface Period {
  from: string;
  to: string;
}

/** What a record's state means for the close. */
export type CloseOutcome = 'synced' | 'onboarded' | 'unposted' | 'waiting' | 'failed' | 'not_closed';
export type OutcomeCounts = Record<CloseOutcome, number>;

export interface PaymentCounts {
  written: number;
  pending: number;
  failed: number;
  /** Deleted or voided in the books: nothing to write back. */
  withdrawn: number;
}

/** The close of a period read from Ledgerpod's records alone (server/close/period-close.ts). */
export interface PeriodClose {
  period: Period;
  ready: boolean;
  records: OutcomeCounts & { total: number };
  byType: Partial<Record<RecordType, OutcomeCounts>>;
  /** The records not synced nor onboarded, oldest first (at most a page). */
  open: {
    type: RecordType;
    cwId: number;
    number: string;
    date: string | null;
    state: RecordState;
    error: Problem | null;
  }[];
  openMore: boolean;
  payments: PaymentCounts;
  /** Credit memos of the period with credit left to apply in the books. */
  unappliedCredits: { cwId: number; number: string; currency: string; remaining: string }[];
  /** Records of the period whose last drift check found differences. */
  differences: {
    count: number;
    records: { type: RecordType; cwId: number; number: string; codes: string[] }[];
  };
}

export type ConnectionStatus = 'active' | 'needs_reconnect' | 'disconnected';

/** Each ledger connection as the close sees it: how far its payments are written, and its lock. */
export interface CloseConnection {
  id: string;
  kind: LedgerKind;
  name: string;
  status: ConnectionStatus;
  /** Whether records of the period are booked through this connection. */
  booksPeriod: boolean;
  /** When the last full payments check (QBO CDC, Xero poll) started; null when none ever ran. */
  paymentsCheckedAt: string | null;
  /** The first day of a payment read from the books and not yet written to ConnectWise. */
  firstUnwrittenPayment: string | null;
  /** Every payment the books held, dated on or before this day, is written to CW. */
  paymentsThrough: string | null;
  lock:
    | { state: 'locked'; through: string; what: string }
    | { state: 'open' }
    | { state: 'unknown'; message: string };
}

/** GET /api/v1/close: the records' close, each connection's, and the checklist over all of it. */
export interface CloseView extends PeriodClose {
  connections: CloseConnection[];
  checklist: {
    recordsSynced: boolean;
    paymentsWritten: boolean;
    /** Every connection booking the period has its payments written through the period's end. */
    paymentsThroughPeriod: boolean;
    differencesAtZero: boolean;
    unappliedCredits: number;
  };
}
