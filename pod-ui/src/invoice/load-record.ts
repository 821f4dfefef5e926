import { useRef } from 'preact/hooks';
import { ApiError, type AuthorizedFetch } from '../api/client.js';
import { getRecord } from '../api/records.js';
import type { RecordDetail, RecordType } from '../api/types.js';
import { type Loaded, useLoad } from '../ui/use-load.js';

/**
 * ConnectWise's invoice screen shows invoices and credit memos alike and tells the pod only the id;
 * the backend answers both under `invoice`. `undefined` means Ledgerpod has no record of it (yet).
 */
export async function loadRecord(
  f: AuthorizedFetch,
  cwId: string,
  type: RecordType | undefined,
): Promise<RecordDetail | undefined> {
  try {
    return await getRecord(f, type ?? 'invoice', cwId);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * The pod's record: the status that came with the sign-in (`initial`; `null` for an unknown record)
 * for the first paint and the first load, then `loadRecord` for every reload.
 */
export function useRecordStatus(
  f: AuthorizedFetch,
  cwId: string,
  type: RecordType | undefined,
  initial: RecordDetail | null | undefined,
): Loaded<RecordDetail | undefined> {
  const pending = useRef(initial);
  const loaded = useLoad(() => {
    const first = pending.current;
    pending.current = undefined;
    return first === undefined ? loadRecord(f, cwId, type) : Promise.resolve(first ?? undefined);
  }, [cwId, type]);
  // The first render comes before useLoad's first load (an effect): show the sign-in's answer there.
  const before = loaded.loading && loaded.data === undefined && !loaded.error;
  return before && initial !== undefined ? { ...loaded, data: initial ?? undefined, loading: false } : loaded;
}
