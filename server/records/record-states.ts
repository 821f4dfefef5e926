import type { RecordState } from '../db/schema.js';

/** Finished states: a push request for them is answered without work. */
export const settledStates: ReadonlySet<RecordState> = new Set<RecordState>([
  'synced',
  'partly_paid',
  'paid',
  'onboarded',
]);
