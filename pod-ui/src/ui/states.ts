import type { RecordState } from '../api/types.js';

export const stateLabels: Record<RecordState, string> = {
  unposted: 'Unposted',
  queued: 'Queued',
  exported: 'Exported',
  pushed: 'Pushing',
  synced: 'Synced',
  partly_paid: 'Partly paid',
  paid: 'Paid',
  onboarded: 'Onboarded',
  error: 'Failed',
  not_closed: 'Not closed',
  unknown: 'Unknown',
};

/** A job is running: the pod keeps polling while a record sits in one of these. */
export const busyStates: ReadonlySet<RecordState> = new Set(['queued', 'exported', 'pushed']);

/** The record exists in the books, so an admin may reverse it. */
export const inLedgerStates: ReadonlySet<RecordState> = new Set([
  'synced',
  'partly_paid',
  'paid',
  'onboarded',
]);

export const allStates = Object.keys(stateLabels) as RecordState[];
