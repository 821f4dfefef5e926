import { ApiError, type AuthorizedFetch } from '../api/client.js';
import { getRecord } from '../api/records.js';
import type { RecordDetail, RecordType } from '../api/types.js';

/**
 * ConnectWise's invoice screen shows invoices and credit memos alike and tells the pod only the id,
 * so without `?type=` an unknown invoice is looked up once more as a credit memo.
 * `undefined` means Ledgerpod has no record of it.
 */
export async function loadRecord(
  f: AuthorizedFetch,
  cwId: string,
  type: RecordType | undefined,
): Promise<RecordDetail | undefined> {
  const types: RecordType[] = type ? [type] : ['invoice', 'credit_memo'];
  for (const candidate of types) {
    try {
      return await getRecord(f, candidate, cwId);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
  }
  return undefined;
}
