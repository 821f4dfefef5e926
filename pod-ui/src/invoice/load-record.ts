import { ApiError, type AuthorizedFetch } from '../api/client.js';
import { getRecord } from '../api/records.js';
import type { RecordDetail, RecordType } from '../api/types.js';

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
