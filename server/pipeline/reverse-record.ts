import { type ConnectWiseClient, ConnectWiseError } from '../connectwise/index.js';
import type { RecordKey, RecordStore } from '../records/record-store.js';
import { AppError } from '../shared/errors.js';

/**
 * Deletes the record's own CW batch, so the record is unposted again and can be edited in CW.
 * The ledger document stays; the next push updates it (a new push generation), never a second one.
 */
export async function reverseRecord(
  deps: { records: RecordStore; cw: ConnectWiseClient },
  key: RecordKey,
  actor: string,
): Promise<void> {
  const record = await deps.records.get(key);
  if (!record) {
    throw new AppError(404, 'record_not_found', `Ledgerpod does not know ${key.type} ${key.cwId}`, {
      hint: 'Only records Ledgerpod batched can be reversed here.',
    });
  }
  const batchId = record.cw_batch_id
    ? Number(record.cw_batch_id)
    : record.cw_batch_identifier
      ? (await deps.cw.findBatch(record.cw_batch_identifier))?.id
      : undefined;
  if (batchId === undefined) {
    throw new AppError(409, 'not_batched', `${record.number || key.cwId} has no batch to reverse`, {
      hint: 'The record is not in a ConnectWise accounting batch made by Ledgerpod.',
    });
  }
  // Reversal is idempotent: a batch already gone (deleted by an earlier attempt) is fine.
  const existing = await deps.cw.listBatches(`id=${batchId}`);
  if (existing.length > 0) {
    try {
      await deps.cw.deleteBatch(batchId);
    } catch (error) {
      // Our delete landed but its answer was lost, and the client's retry found the batch gone.
      if (!(error instanceof ConnectWiseError && error.code === 'cw_not_found')) throw error;
    }
  }
  await deps.records.transition(record, {
    to: 'unposted',
    set: { cw_batch_id: null, cw_batch_identifier: null, version: record.version + 1, last_error: null },
    actor,
    kind: 'reversed',
    detail: { batchId, batchIdentifier: record.cw_batch_identifier },
  });
}
