import { Router } from 'express';
import { z } from 'zod';
import type { DailyStat } from '../../contract/admin.js';
import type { CompanySummary, QueueSummary } from '../../contract/records.js';
import { requireRole, requireSession, sessionOf } from '../auth/require-session.js';
import type { SessionTokens } from '../auth/session-token.js';
import type { Db } from '../db/database.js';
import type { RecordState } from '../db/schema.js';
import { companyBalances, dailyCounts } from '../records/insight-queries.js';
import { recordTypes } from '../records/record-kinds.js';
import { queueSummary } from '../records/record-queries.js';
import { formatMinor } from '../shared/money.js';
import { parseInput } from './validate.js';

const companyParams = z.object({ cwId: z.coerce.number().int().positive() });
const dailyQuery = z.object({ days: z.coerce.number().int().min(1).max(90).default(14) });
const queuesQuery = z.object({
  type: z.enum(recordTypes).optional(),
  company: z.coerce.number().int().positive().optional(),
  q: z.string().max(100).optional(),
});

/** Summaries read straight from our records: a company's position, and syncs and errors per day. */
export function insightRoutes(deps: { db: Db; tokens: SessionTokens }): Router {
  const router = Router();

  router.get('/api/v1/companies/:cwId/summary', requireSession(deps.tokens), async (req, res) => {
    const { cwId } = parseInput(companyParams, req.params, 'path');
    const { tenantId } = sessionOf(req);
    const rows = await companyBalances(deps.db, tenantId, cwId);
    const counts: Partial<Record<RecordState, number>> = {};
    let cw = 0n;
    let ledger: bigint | null = null;
    for (const row of rows) {
      counts[row.state] = (counts[row.state] ?? 0) + Number(row.n);
      cw += BigInt(row.cw_balance);
      if (row.ledger_balance !== null) ledger = (ledger ?? 0n) + BigInt(row.ledger_balance);
    }
    const first = rows[0];
    const decimals = first?.decimals ?? 2;
    res.json({
      company: { id: cwId, name: first?.name ?? '' },
      counts,
      arBalance: {
        currency: first?.currency ?? 'USD',
        cw: formatMinor(cw, decimals),
        ledger: ledger === null ? null : formatMinor(ledger, decimals),
      },
    } satisfies CompanySummary);
  });

  router.get(
    '/api/v1/stats/daily',
    requireSession(deps.tokens),
    requireRole('accountant'),
    async (req, res) => {
      const { days } = parseInput(dailyQuery, req.query, 'query');
      const { tenantId } = sessionOf(req);
      const rows = await dailyCounts(deps.db, tenantId, days);
      res.json({
        days: rows.map((r) => ({ day: r.day, synced: Number(r.synced), errors: Number(r.errors) })),
      } satisfies { days: DailyStat[] });
    },
  );

  // The workbench's queues under its type and search filter: each queue's count and total amount,
  // over the whole queue (GET /api/v1/records pages; its counts are the same queues').
  router.get(
    '/api/v1/stats/queues',
    requireSession(deps.tokens),
    requireRole('accountant'),
    async (req, res) => {
      const { type, company, q } = parseInput(queuesQuery, req.query, 'query');
      res.json(
        (await queueSummary(deps.db, sessionOf(req).tenantId, {
          type,
          companyId: company,
          q,
        })) satisfies QueueSummary,
      );
    },
  );
  return router;
}
