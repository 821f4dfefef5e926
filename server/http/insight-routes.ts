import { Router } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import { requireRole, requireSession, sessionOf } from '../auth/require-session.js';
import type { SessionTokens } from '../auth/session-token.js';
import type { Db } from '../db/database.js';
import type { RecordState } from '../db/schema.js';
import { queueSummary } from '../records/record-queries.js';
import { formatMinor } from '../shared/money.js';
import { recordTypes } from './record-status.js';
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
    const rows = await deps.db
      .selectFrom('records')
      .select([
        'state',
        'currency',
        'decimals',
        (eb) => eb.fn.countAll<string>().as('n'),
        sql<string>`coalesce(sum(case when type = 'credit_memo' then -balance_minor else balance_minor end), 0)::text`.as(
          'cw_balance',
        ),
        sql<
          string | null
        >`sum(case when type = 'credit_memo' then -ledger_balance_minor else ledger_balance_minor end)::text`.as(
          'ledger_balance',
        ),
        sql<string>`max(company_name)`.as('name'),
      ])
      .where('tenant_id', '=', tenantId)
      .where('company_id', '=', String(cwId))
      .where('type', 'in', ['invoice', 'credit_memo'])
      .groupBy(['state', 'currency', 'decimals'])
      .execute();
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
    });
  });

  router.get(
    '/api/v1/stats/daily',
    requireSession(deps.tokens),
    requireRole('accountant'),
    async (req, res) => {
      const { days } = parseInput(dailyQuery, req.query, 'query');
      const { tenantId } = sessionOf(req);
      const rows = await sql<{ day: string; synced: string; errors: string }>`
      select to_char(d.day, 'YYYY-MM-DD') as day,
             count(e.id) filter (where e.to_state = 'synced' and e.from_state is distinct from 'synced')::text as synced,
             count(e.id) filter (where e.to_state = 'error' and e.from_state is distinct from 'error')::text as errors
      from generate_series(current_date - (${days}::int - 1), current_date, interval '1 day') as d(day)
      left join record_events e on e.tenant_id = ${tenantId} and e.at >= d.day and e.at < d.day + interval '1 day'
      group by d.day order by d.day`.execute(deps.db);
      res.json({
        days: rows.rows.map((r) => ({ day: r.day, synced: Number(r.synced), errors: Number(r.errors) })),
      });
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
      res.json(await queueSummary(deps.db, sessionOf(req).tenantId, { type, companyId: company, q }));
    },
  );
  return router;
}
