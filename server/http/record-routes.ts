import { Router } from 'express';
import { z } from 'zod';
import type { RecheckAnswer } from '../../contract/push-check.js';
import type { AuditEvent, RecordList, RefusedRecord } from '../../contract/records.js';
import {
  assertRole,
  requireRole,
  requireSession,
  requireSignedSession,
  sessionOf,
} from '../auth/require-session.js';
import { roleAtLeast } from '../auth/roles.js';
import type { Session } from '../auth/session.js';
import type { SessionTokens } from '../auth/session-token.js';
import type { Db } from '../db/database.js';
import type { RecordRow, RecordType } from '../db/schema.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { Recheck } from '../pipeline/push-check.js';
import { requestPush } from '../pipeline/requests.js';
import { catalogueError, hintForReader } from '../records/error-catalogue.js';
import { datedBeforeCutoff, isOnboardedHistory, onboardingCutoff } from '../records/onboarded-history.js';
import { recordKinds, recordTypes } from '../records/record-kinds.js';
import { decodeCursor, findRecordWithHistory, listEvents, listRecords } from '../records/record-queries.js';
import { recordStates } from '../records/record-states.js';
import type { RecordStore } from '../records/record-store.js';
import { eventView, forReader, recordSummary, recordView } from '../records/record-view.js';
import { AppError } from '../shared/errors.js';
import { type RecordStatusDeps, readRecordStatus, recordKey } from './record-status.js';
import { parseInput } from './validate.js';

const recordParams = recordKey;
const listQuery = z.object({
  type: z.enum(recordTypes).optional(),
  state: z.enum(recordStates).optional(),
  company: z.coerce.number().int().positive().optional(),
  q: z.string().max(100).optional(),
  cursor: z
    .string()
    .max(200)
    .refine((cursor) => decodeCursor(cursor) !== undefined, {
      message: 'is not a cursor this API gave out: pass the nextCursor of the previous page unchanged',
    })
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const eventsQuery = z.object({
  // `type:cwId`, e.g. invoice:42. Checked as a whole here: a bad part must be a 400 naming
  // `record`, never an exception thrown from inside a transform (that was a 500).
  record: z
    .string()
    .max(100)
    .transform((value, ctx) => {
      const [type, cwId, extra] = value.split(':');
      const key = extra === undefined ? recordParams.safeParse({ type, cwId }) : undefined;
      if (key?.success) return key.data;
      ctx.addIssue({
        code: 'custom',
        message: `must be type:cwId with a type of ${recordTypes.join(', ')} and a positive whole cwId, e.g. invoice:42`,
      });
      return z.NEVER;
    })
    .optional(),
  /** Part of a record number (the audit log's record filter). */
  number: z.string().trim().min(1).max(100).optional(),
  actor: z.string().trim().min(1).max(100).optional(),
  kind: z
    .string()
    .regex(/^[a-z_]{1,50}$/, 'must be an event kind such as synced or credit_applied')
    .optional(),
  since: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
/** `bookOld`: an admin's explicit "book this old record" (dated on or before the onboarding cutoff). */
const syncOneBody = z.object({ bookOld: z.boolean().default(false) }).default({ bookOld: false });
const syncManyBody = z.object({
  records: z.array(recordParams).min(1).max(500),
  bookOld: z.boolean().default(false),
});

export interface RecordRouteDeps {
  db: Db;
  jobs: JobQueue;
  records: RecordStore;
  tokens: SessionTokens;
  limiter: RecordStatusDeps['limiter'];
  /** Brings CW's unposted records into the list (throttled); nothing is pushed. */
  discover(tenantId: string): Promise<void>;
  /** Queues every unposted record of the tenant ("sync all"). */
  syncAll(tenantId: string, actor: string): Promise<void>;
  /** The check before a push, and a failed record's push resumed once its problem is fixed. */
  recheck(
    tenantId: string,
    key: { type: 'invoice' | 'credit_memo'; cwId: number },
    actor: string,
  ): Promise<Recheck>;
  reverse(tenantId: string, key: { type: RecordType; cwId: number }, actor: string): Promise<void>;
}

/** Booking a record dated on or before the onboarding cutoff is an admin's decision, and only theirs. */
function refuseUnlessAdmin(session: Session): void {
  if (roleAtLeast(session.role, 'admin')) return;
  throw new AppError(
    403,
    'book_old_admin_only',
    `Only an admin can book a record dated on or before the onboarding cutoff; you are signed in as ${session.role}`,
    { hint: 'Ask a Ledgerpod admin to book it if it truly is missing from QuickBooks Online or Xero.' },
  );
}

/**
 * Why a push of this record is refused before anything is queued: it is dated on or before the
 * onboarding cutoff (history already in the books) and is not onboarded history (which a push
 * onboards again instead) nor already booked. A record never read is judged by its push job.
 */
function refusalAsHistory(record: RecordRow | undefined, cutoff: string | undefined) {
  if (!record || record.ledger_id || isOnboardedHistory(record)) return undefined;
  const date = record.record_date === null ? null : new Date(record.record_date).toISOString().slice(0, 10);
  if (!datedBeforeCutoff(date, cutoff)) return undefined;
  // Invoices and credit memos by their kind's label; other types by the "Record" this refusal has always said.
  const kind = recordKinds[record.type];
  const label = `${kind.family === 'invoice' ? kind.label : 'Record'} ${record.number || record.cw_id}`;
  return catalogueError('before_onboarding_cutoff', `${label} (dated ${date}, cutoff ${cutoff})`);
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
    res.json({
      records: page.rows.map((row) => forReader(recordSummary(row), sessionOf(req).role)),
      counts: page.counts,
      nextCursor: page.nextCursor,
      // The workbench warns before a bulk push that includes records dated on or before it.
      onboardingCutoff: (await onboardingCutoff(deps.db, sessionOf(req).tenantId)) ?? null,
    } satisfies RecordList);
  });

  router.post('/api/v1/records/:type/:cwId/sync', requireRole('accountant'), async (req, res) => {
    const { type, cwId } = parseInput(recordParams, req.params, 'path');
    const { bookOld } = parseInput(syncOneBody, req.body ?? {});
    const session = sessionOf(req);
    const key = { tenantId: session.tenantId, type, cwId };
    if (bookOld) refuseUnlessAdmin(session);
    else {
      const refusal = refusalAsHistory(
        await deps.records.get(key),
        await onboardingCutoff(deps.db, key.tenantId),
      );
      if (refusal)
        throw new AppError(409, refusal.code, refusal.message, {
          hint: refusal.hint,
          details: { record: { type, cwId }, bookOld: 'an admin sends bookOld: true to book it anyway' },
        });
    }
    const record = await requestPush(deps, key, session.memberId, undefined, { bookOld });
    if (bookOld)
      await deps.records.note(record, session.memberId, 'book_old_confirmed', { role: session.role });
    const found = await findRecordWithHistory(deps.db, session.tenantId, type, cwId);
    res
      .status(202)
      .json(
        forReader(
          recordView(found!.row, found!.payments, found!.events, found!.credits, found!.drift),
          session.role,
        ),
      );
  });

  // Any signed-in reader: the pod asks on ConnectWise's onLoad and beforeSave. Reads CW only; a push
  // follows only for a failed record now fixed, where the tenant's syncWhenFixed asks for it.
  router.post('/api/v1/records/:type/:cwId/check', async (req, res) => {
    const { type, cwId } = parseInput(recordParams, req.params, 'path');
    if (type !== 'invoice' && type !== 'credit_memo')
      throw new AppError(
        400,
        'check_unsupported',
        `A check before saving is made for invoices and credit memos, not ${type}s`,
        {
          hint: 'Sync the record from the workbench; its status says what stops it.',
        },
      );
    const session = sessionOf(req);
    const recheck = await deps.recheck(session.tenantId, { type, cwId }, session.memberId);
    const found = await findRecordWithHistory(deps.db, session.tenantId, type, cwId);
    const problems = recheck.check.problems.map((problem) => hintForReader(problem, session.role));
    res.json({
      ...recheck,
      check: { ...recheck.check, problems },
      record: found
        ? forReader(
            recordView(found.row, found.payments, found.events, found.credits, found.drift),
            session.role,
          )
        : null,
    } satisfies RecheckAnswer);
  });

  router.post('/api/v1/records/sync', requireRole('accountant'), async (req, res) => {
    const body = parseInput(syncManyBody, req.body);
    const session = sessionOf(req);
    if (body.bookOld) refuseUnlessAdmin(session);
    const cutoff = await onboardingCutoff(deps.db, session.tenantId);
    const refused: RefusedRecord[] = [];
    for (const { type, cwId } of body.records) {
      const key = { tenantId: session.tenantId, type, cwId };
      const existing = await deps.records.get(key);
      const refusal = body.bookOld ? undefined : refusalAsHistory(existing, cutoff);
      if (refusal) {
        refused.push({
          type,
          cwId,
          number: existing?.number ?? '',
          code: refusal.code,
          message: refusal.message,
        });
        continue;
      }
      const record = await requestPush(deps, key, session.memberId, undefined, { bookOld: body.bookOld });
      if (body.bookOld)
        await deps.records.note(record, session.memberId, 'book_old_confirmed', { role: session.role });
    }
    res.status(202).json({ queued: body.records.length - refused.length, refused });
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
    res.json(
      forReader(
        recordView(found!.row, found!.payments, found!.events, found!.credits, found!.drift),
        session.role,
      ),
    );
  });

  // A record's own events for anyone who may see the record (every role reads statuses); the
  // tenant-wide log (payment amounts, CW ids, actors of every record) for admins only.
  router.get('/api/v1/events', requireSession(deps.tokens), async (req, res) => {
    const query = parseInput(eventsQuery, req.query, 'query');
    if (!query.record) assertRole(req, 'admin');
    const { tenantId } = sessionOf(req);
    const rows = await listEvents(deps.db, tenantId, {
      record: query.record,
      number: query.number,
      actor: query.actor,
      kind: query.kind,
      since: query.since ? new Date(query.since) : undefined,
      limit: query.limit,
    });
    res.json({
      events: rows.map((e) => ({
        id: e.id,
        ...eventView(e),
        record: e.type ? { type: e.type, cwId: Number(e.cw_id), number: e.number } : null,
      })),
    } satisfies { events: AuditEvent[] });
  });

  return router;
}
