import { Router } from 'express';
import { z } from 'zod';
import { requireRole, requireSession, requireSignedSession, sessionOf } from '../auth/require-session.js';
import type { SessionTokens } from '../auth/session-token.js';
import type { Db } from '../db/database.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { requestPush } from '../sync/record-jobs.js';
import { findRecordWithHistory, listEvents, listRecords } from '../sync/record-queries.js';
import type { RecordStore } from '../sync/record-store.js';
import { eventView, recordSummary, recordView } from '../sync/record-view.js';
import { readRecordStatus, recordKey, recordTypes } from './record-status.js';
import { parseInput } from './validate.js';

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

const recordParams = recordKey;
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
  // The pod's status read, the hottest route: registered before the router-wide session check, with
  // one that leaves the tenant's existence to the status query (see readRecordStatus).
  router.get('/api/v1/records/:type/:cwId', requireSignedSession(deps.tokens), async (req, res) => {
    const key = parseInput(recordParams, req.params, 'path');
    res.json(await readRecordStatus(deps, sessionOf(req), key));
  });
  router.use('/api/v1/records', requireSession(deps.tokens));

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
