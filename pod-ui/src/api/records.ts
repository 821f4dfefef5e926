import type {
  EventRecord,
  RecordDetail,
  RecordEvent,
  RecordList,
  RecordState,
  RecordType,
  RefusedRecord,
} from '../../../contract/records.js';
import { type AuthorizedFetch, call, query } from './client.js';
import type { Recheck } from './types.js';

export type { EventRecord, RefusedRecord } from '../../../contract/records.js';

const at = (type: RecordType, cwId: string | number) =>
  `/api/v1/records/${encodeURIComponent(type)}/${encodeURIComponent(String(cwId))}`;

export const getRecord = (f: AuthorizedFetch, type: RecordType, cwId: string | number) =>
  call<RecordDetail>(f, 'GET', at(type, cwId));

/**
 * Queues a push (onboarded history: onboards it again); the backend answers 202 with the record as
 * it stands (the same shape as GET). `bookOld`: an admin's "book this old record".
 */
export const syncRecord = (f: AuthorizedFetch, type: RecordType, cwId: string | number, bookOld = false) =>
  call<RecordDetail>(f, 'POST', `${at(type, cwId)}/sync`, bookOld ? { bookOld: true } : {});

/**
 * What would stop a push of it now, read from ConnectWise as it stands; a failed record found fixed
 * is pushed again where the tenant allows (`syncing`). Invoices and credit memos.
 */
export const checkRecord = (f: AuthorizedFetch, type: RecordType, cwId: string | number) =>
  call<Recheck>(f, 'POST', `${at(type, cwId)}/check`, {});

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

export const syncRecords = (
  f: AuthorizedFetch,
  records: { type: RecordType; cwId: string | number }[],
  bookOld = false,
) =>
  call<{ queued: number; refused: RefusedRecord[] }>(f, 'POST', '/api/v1/records/sync', {
    records,
    ...(bookOld ? { bookOld: true } : {}),
  });

export const syncPayments = (f: AuthorizedFetch, since?: string) =>
  call<{ queued: true }>(f, 'POST', '/api/v1/payments/sync', since ? { since } : {});

/**
 * `record` is `type:cwId`; without it, the tenant's whole audit log (newest first), filtered by part
 * of a record `number`, an `actor` and a `kind` where given.
 */
export const listEvents = (
  f: AuthorizedFetch,
  params: { record?: string; number?: string; actor?: string; kind?: string; since?: string } = {},
) =>
  call<{ events: (RecordEvent & { id?: string; record?: EventRecord | string | null })[] }>(
    f,
    'GET',
    `/api/v1/events${query(params)}`,
  );
