/** A record's type and state, the unions both sides switch on (records.type, records.state). */

/** The ConnectWise records Ledgerpod syncs. */
export const recordTypes = [
  'invoice',
  'credit_memo',
  'expense',
  'procurement',
  'adjustment',
  'transfer',
] as const;
export type RecordType = (typeof recordTypes)[number];

/** Where a record stands. */
export const recordStates = [
  'unposted',
  'queued',
  'exported',
  'pushed',
  'synced',
  'partly_paid',
  'paid',
  'onboarded',
  'error',
  'not_closed',
  'unknown',
] as const;
export type RecordState = (typeof recordStates)[number];

// Declared with the ledgers' labels; re-exported for the record shapes that name a ledger.
export type { LedgerKind } from './ledger-kinds.js';
