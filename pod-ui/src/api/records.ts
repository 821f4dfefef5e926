import { type AuthorizedFetch, call, query } from './client.js';
import type { RecordDetail, RecordEvent, RecordList, RecordState, RecordType } from './types.js';

/** The record an audit event belongs to. */
export interface EventRecord {
  type: RecordType;
  cwId: number;
  number: string;
}

const at = (type: RecordType, cwId: string | number) =>
  `/api/v1/records/${encodeURIComponent(type)}/${encodeURIComponent(String(cwId))}`;

export const getRecord = (f: AuthorizedFetch, type: RecordType, cwId: string | number) =>
  call<RecordDetail>(f, 'GET', at(type, cwId));

/** Queues a push; the backend answers 202 with the record as it stands (the same shape as GET). */
export const syncRecord = (f: AuthorizedFetch, type: RecordType, cwId: string | number) =>
  call<RecordDetail>(f, 'POST', `${at(type, cwId)}/sync`, {});

/** Reverses it in ConnectWise and the books; answers the record afterwards (the same shape as GET). */
export const reverseRecord = (f: AuthorizedFetch, type: RecordType, cwId: string | number) =>
  call<RecordDetail>(f, 'POST', `${at(type, cwId)}/reverse`, {});

export interface RecordFilter {
  type?: RecordType | '';
  state?: RecordState | '';
  company?: string;
  q?: string;
  cursor?: string | null;
}

export const listRecords = (f: AuthorizedFetch, filter: RecordFilter) =>
  call<RecordList>(f, 'GET', `/api/v1/records${query({ ...filter })}`);

export const syncRecords = (f: AuthorizedFetch, records: { type: RecordType; cwId: string | number }[]) =>
  call<{ queued: number }>(f, 'POST', '/api/v1/records/sync', { records });

export const syncPayments = (f: AuthorizedFetch, since?: string) =>
  call<{ queued: true }>(f, 'POST', '/api/v1/payments/sync', since ? { since } : {});

/** `record` is `type:cwId`; without it, the tenant's whole audit log (newest first). */
export const listEvents = (f: AuthorizedFetch, params: { record?: string; since?: string } = {}) =>
  call<{ events: (RecordEvent & { record?: EventRecord | string | null })[] }>(
    f,
    'GET',
    `/api/v1/events${query(params)}`,
  );
