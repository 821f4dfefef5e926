import { z } from 'zod';
import { refuseUnlessTenantLive } from '../auth/require-session.js';
import type { Session } from '../auth/session.js';
import type { SessionTokens } from '../auth/session-token.js';
import type { Db } from '../db/database.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { queues, type RefreshRecordJob, refreshSingletonKey } from '../jobs/queues.js';
import type { CallLimiter } from '../outbound/call-limiter.js';
import { recordTypes } from '../records/record-kinds.js';
import { findRecordWithHistory } from '../records/record-queries.js';
import { forReader, type RecordView, recordView } from '../records/record-view.js';
import { AppError } from '../shared/errors.js';

/** A record as ConnectWise screens name it: its type and CW id. */
export const recordKey = z.object({ type: z.enum(recordTypes), cwId: z.coerce.number().int().positive() });
export type RecordKey = z.output<typeof recordKey>;

/** A record whose status is older than this is refreshed from ConnectWise and the ledger in the background. */
const staleAfterMs = 2 * 60_000;

export interface RecordStatusDeps {
  db: Db;
  jobs: JobQueue;
  tokens: SessionTokens;
  /** Bounds the ConnectWise look-ups that reads of unknown records queue (unknownLookups). */
  limiter: Pick<CallLimiter, 'tryTake'>;
}

/**
 * Look-ups of records Ledgerpod does not know, queued by status reads: each costs ConnectWise calls
 * in a job, and ids are free to make up, so a member gets a few at once and then one every 3 s, and
 * a tenant one a second across its members. Past that, the read still answers 404, unqueued; the
 * sweep and CW's callbacks bring real new records in anyway.
 */
export const unknownLookups = {
  member: { perMinute: 20, burst: 10 },
  tenant: { perMinute: 60, burst: 30 },
};

async function mayLookUp(deps: RecordStatusDeps, session: Session): Promise<boolean> {
  const byMember = await deps.limiter.tryTake(
    `lookup:${session.tenantId}:${session.memberId}`,
    unknownLookups.member,
  );
  if (!byMember.allowed) return false;
  return (await deps.limiter.tryTake(`lookup:${session.tenantId}`, unknownLookups.tenant)).allowed;
}

export async function requestRefresh(
  jobs: JobQueue,
  tenantId: string,
  { type, cwId }: RecordKey,
  reason: RefreshRecordJob['reason'],
): Promise<void> {
  const job: RefreshRecordJob = { tenantId, type, cwId, reason, syncIfClosed: false };
  await jobs.send(queues.refreshRecord, job, { singletonKey: refreshSingletonKey(job) });
}

export const recordNotFound = ({ type, cwId }: RecordKey, lookingUp = true) =>
  new AppError(404, 'record_not_found', `Ledgerpod does not know ${type.replace('_', ' ')} ${cwId} yet`, {
    hint: lookingUp
      ? 'Ledgerpod is checking ConnectWise for it now; look again in a moment.'
      : 'You asked about many unknown records at once; Ledgerpod will look this one up if you ask again in a minute.',
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
    if (!(await mayLookUp(deps, session))) throw recordNotFound(key, false);
    await requestRefresh(deps.jobs, session.tenantId, key, 'manual');
    throw recordNotFound(key);
  }
  const refreshedAt = found.row.refreshed_at ? new Date(found.row.refreshed_at).getTime() : 0;
  if (Date.now() - refreshedAt > staleAfterMs)
    await requestRefresh(deps.jobs, session.tenantId, key, 'stale');
  return forReader(
    recordView(found.row, found.payments, found.events, found.credits, found.drift),
    session.role,
  );
}
