import { Router } from 'express';
import { z } from 'zod';
import { requireRole, requireSession, sessionOf } from '../auth/require-session.js';
import type { SessionTokens } from '../auth/session-token.js';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { queues, type RefreshRecordJob, recordSingletonKey } from '../sync/queues.js';
import { requestPush } from '../sync/record-jobs.js';
import { findRecordWithHistory, listEvents, listRecords } from '../sync/record-queries.js';
import type { RecordStore } from '../sync/record-store.js';
import { eventView, recordSummary, recordView } from '../sync/record-view.js';
import { parseInput } from './validate.js';

const recordTypes = ['invoice', 'credit_memo', 'expense', 'procurement', 'adjustment'] as const;
const recordStates = [
  'unposted',
  'queued',
  'exported',
  'pushed',
  'synced',
  'partly_paid',
  'paid',
  'onboarded',
  'error',
  'not_closed',
  'unknown',
] as const;

const recordParams = z.object({ type: z.enum(recordTypes), cwId: z.coerce.number().int().positive() });
const listQuery = z.object({
  type: z.enum(recordTypes).optional(),
  state: z.enum(recordStates).optional(),
  company: z.coerce.number().int().positive().optional(),
  q: z.string().max(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const eventsQuery = z.object({
  record: z
    .string()
    .regex(/^[a-z_]+:\d+$/)
    .transform((value) => {
      const [type, cwId] = value.split(':');
      return recordParams.parse({ type, cwId });
    })
    .optional(),
  since: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const syncManyBody = z.object({ records: z.array(recordParams).min(1).max(500) });

/** A record whose status is older than this is refreshed from ConnectWise and the ledger in the background. */
const staleAfterMs = 2 * 60_000;

export interface RecordRouteDeps {
  db: Db;
  jobs: JobQueue;
  records: RecordStore;
  tokens: SessionTokens;
  /** Brings CW's unposted records into the list (throttled); nothing is pushed. */
  discover(tenantId: string): Promise<void>;
  /** Queues every unposted record of the tenant ("sync all"). */
  syncAll(tenantId: string, actor: string): Promise<void>;
  reverse(
    tenantId: string,
    key: { type: (typeof recordTypes)[number]; cwId: number },
    actor: string,
  ): Promise<void>;
}

/** The status API: every query scoped by the token's tenant. */
export function recordRoutes(deps: RecordRouteDeps): Router {
  const router = Router();
  router.use('/api/v1/records', requireSession(deps.tokens));

  const refresh = async (
    tenantId: string,
    type: RefreshRecordJob['type'],
    cwId: number,
    reason: RefreshRecordJob['reason'],
  ) => {
    const job: RefreshRecordJob = { tenantId, type, cwId, reason, syncIfClosed: false };
    await deps.jobs.send(queues.refreshRecord, job, { singletonKey: recordSingletonKey(job) });
  };

  const notFound = (type: string, cwId: number) =>
    new AppError(404, 'record_not_found', `Ledgerpod does not know ${type.replace('_', ' ')} ${cwId} yet`, {
      hint: 'Ledgerpod is checking ConnectWise for it now; look again in a moment.',
    });

  router.get('/api/v1/records/:type/:cwId', async (req, res) => {
    const { type, cwId } = parseInput(recordParams, req.params, 'path');
    const { tenantId } = sessionOf(req);
    const found = await findRecordWithHistory(deps.db, tenantId, type, cwId);
    if (!found) {
      await refresh(tenantId, type, cwId, 'manual');
      throw notFound(type, cwId);
    }
    const refreshedAt = found.row.refreshed_at ? new Date(found.row.refreshed_at).getTime() : 0;
    if (Date.now() - refreshedAt > staleAfterMs) await refresh(tenantId, type, cwId, 'stale');
    res.json(recordView(found.row, found.payments, found.events));
  });

  router.get('/api/v1/records', requireRole('accountant'), async (req, res) => {
    const query = parseInput(listQuery, req.query, 'query');
    await deps.discover(sessionOf(req).tenantId);
    const page = await listRecords(deps.db, sessionOf(req).tenantId, {
      type: query.type,
      state: query.state,
      companyId: query.company,
      q: query.q,
      cursor: query.cursor,
      limit: query.limit,
    });
    res.json({ records: page.rows.map(recordSummary), counts: page.counts, nextCursor: page.nextCursor });
  });

  router.post('/api/v1/records/:type/:cwId/sync', requireRole('accountant'), async (req, res) => {
    const { type, cwId } = parseInput(recordParams, req.params, 'path');
    const session = sessionOf(req);
    await requestPush(deps, { tenantId: session.tenantId, type, cwId }, session.memberId);
    const found = await findRecordWithHistory(deps.db, session.tenantId, type, cwId);
    res.status(202).json(recordView(found!.row, found!.payments, found!.events));
  });

  router.post('/api/v1/records/sync', requireRole('accountant'), async (req, res) => {
    const body = parseInput(syncManyBody, req.body);
    const session = sessionOf(req);
    for (const record of body.records) {
      await requestPush(
        deps,
        { tenantId: session.tenantId, type: record.type, cwId: record.cwId },
        session.memberId,
      );
    }
    res.status(202).json({ queued: body.records.length });
  });

  router.post('/api/v1/records/sync-all', requireRole('accountant'), async (req, res) => {
    const session = sessionOf(req);
    await deps.syncAll(session.tenantId, session.memberId);
    res.status(202).json({ started: true, hint: 'Progress shows in the counts of GET /api/v1/records.' });
  });

  router.post('/api/v1/records/:type/:cwId/reverse', requireRole('admin'), async (req, res) => {
    const { type, cwId } = parseInput(recordParams, req.params, 'path');
    const session = sessionOf(req);
    await deps.reverse(session.tenantId, { type, cwId }, session.memberId);
    const found = await findRecordWithHistory(deps.db, session.tenantId, type, cwId);
    res.json(recordView(found!.row, found!.payments, found!.events));
  });

  router.get('/api/v1/events', requireSession(deps.tokens), async (req, res) => {
    const query = parseInput(eventsQuery, req.query, 'query');
    const { tenantId } = sessionOf(req);
    const rows = await listEvents(deps.db, tenantId, {
      record: query.record,
      since: query.since ? new Date(query.since) : undefined,
      limit: query.limit,
    });
    res.json({
      events: rows.map((e) => ({
        ...eventView(e),
        record: e.type ? { type: e.type, cwId: Number(e.cw_id), number: e.number } : null,
      })),
    });
  });

  return router;
}
