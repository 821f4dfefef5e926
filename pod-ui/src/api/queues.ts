import type { QueueSummary, RecordType } from '../../../contract/records.js';
import { type AuthorizedFetch, call, query } from './client.js';

export type { QueueSummary, QueueTotal } from '../../../contract/records.js';

export const getQueues = (f: AuthorizedFetch, filter: { type?: RecordType | ''; q?: string }) =>
  call<QueueSummary>(f, 'GET', `/api/v1/stats/queues${query({ ...filter })}`);
