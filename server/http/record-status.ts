import { z } from 'zod';
import { refuseUnlessTenantLive } from '../auth/require-session.js';
import type { Session, SessionTokens } from '../auth/session-token.js';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { queues, type RefreshRecordJob, recordSingletonKey } from '../sync/queues.js';
import { findRecordWithHistory } from '../sync/record-queries.js';
import { type RecordView, recordView } from '../sync/record-view.js';

export const recordTypes = ['invoice', 'credit_memo', 'expense', 'procurement', 'adjustment'] as const;

/** A record as ConnectWise screens name it: its type and CW id. */
export const recordKey = z.object({ type: z.enum(recordTypes), cwId: z.coerce.number().int().positive() });
export type RecordKey = z.output<typeof recordKey>;

/** A record whose status is older than this is refreshed from ConnectWise and the ledger in the background. */
const staleAfterMs = 2 * 60_000;

export interface RecordStatusDeps {
  db: Db;
  jobs: JobQueue;
  tokens: SessionTokens;
}

export async function requestRefresh(
  jobs: JobQueue,
  tenantId: string,
  { type, cwId }: RecordKey,
  reason: RefreshRecordJob['reason'],
): Promise<void> {
  const job: RefreshRecordJob = { tenantId, type, cwId, reason, syncIfClosed: false };
  await jobs.send(queues.refreshRecord, job, { singletonKey: recordSingletonKey(job) });
}

export const recordNotFound = ({ type, cwId }: RecordKey) =>
  new AppError(404, 'record_not_found', `Ledgerpod does not know ${type.replace('_', ' ')} ${cwId} yet`, {
    hint: 'Ledgerpod is checking ConnectWise for it now; look again in a moment.',
  });

/**
 * The status the pod shows, for `GET /api/v1/records/:type/:cwId` and for the sign-in that carries
 * the screen's record: read from the database, with a background refresh when the record is
 * unknown or stale. Any session role may read it, always within the session's tenant.
 *
 * Safe behind `requireSignedSession`: a row found proves the tenant exists (records.tenant_id is
 * `on delete cascade`); when none is found the tenant is checked before anything is queued.
 */
export async function readRecordStatus(
  deps: RecordStatusDeps,
  session: Session,
  key: RecordKey,
): Promise<RecordView> {
  const found = await findRecordWithHistory(deps.db, session.tenantId, key.type, key.cwId);
  if (!found) {
    await refuseUnlessTenantLive(deps.tokens, session);
    await requestRefresh(deps.jobs, session.tenantId, key, 'manual');
    throw recordNotFound(key);
  }
  const refreshedAt = found.row.refreshed_at ? new Date(found.row.refreshed_at).getTime() : 0;
  if (Date.now() - refreshedAt > staleAfterMs)
    await requestRefresh(deps.jobs, session.tenantId, key, 'stale');
  return recordView(found.row, found.payments, found.events);
}
