import { type AuthorizedFetch, call, query } from './client.js';
import type { RecordState, RecordType, StateCounts } from './types.js';

/** A queue's money: one amount per currency. */
export interface QueueTotal {
  currency: string;
  amount: string;
}

/**
 * The workbench's queues (a push refused as not closed is in not_closed, not error): each one's
 * count, and (per queue and `all`) the sum of its records' totals over the whole queue.
 */
export interface QueueSummary {
  counts: StateCounts;
  totals: Partial<Record<RecordState | 'all', QueueTotal[]>>;
}

export const getQueues = (f: AuthorizedFetch, filter: { type?: RecordType | ''; q?: string }) =>
  call<QueueSummary>(f, 'GET', `/api/v1/stats/queues${query({ ...filter })}`);
