import { Router } from 'express';
import { z } from 'zod';
import { requireRole, requireSession, sessionOf } from '../auth/require-session.js';
import type { SessionTokens } from '../auth/session-token.js';
import { readCloseView } from '../close/close-view.js';
import { periodEvidence } from '../close/period-evidence.js';
import type { Db } from '../db/database.js';
import type { LedgerConnection } from '../db/schema.js';
import type { LedgerFactory } from '../ledgers/ledger.js';
import { csvHeader, csvRows, htmlFoot, htmlHead, htmlRows } from './evidence-format.js';
import { parseInput } from './validate.js';

const day = (name: string) =>
  z.iso.date({ error: `${name} must be a real day written YYYY-MM-DD, such as 2024-05-01` });
/** A close period: two days, in order, at most a year apart. */
export const closeQuery = z
  .object({ from: day('from'), to: day('to') })
  .refine((p) => p.from <= p.to, { message: 'from must be on or before to', path: ['to'] })
  .refine((p) => Date.parse(p.to) - Date.parse(p.from) <= 366 * 86_400_000, {
    message: 'a period is at most a year',
    path: ['to'],
  });

export interface CloseRouteDeps {
  db: Db;
  tokens: SessionTokens;
  ledgers: LedgerFactory;
  connections: { list(tenantId: string): Promise<LedgerConnection[]> };
}

/**
 * The month-end close of a period (issue 16 item 4: close-view.ts) and its evidence for auditors
 * (item 5: period-evidence.ts) as CSV and as a printable page; accountants and admins only, each
 * read from the signed-in tenant's records alone.
 */
export function closeRoutes(deps: CloseRouteDeps): Router {
  const router = Router();
  const accountant = [requireSession(deps.tokens), requireRole('accountant')];

  router.get('/api/v1/close', ...accountant, async (req, res) => {
    const period = parseInput(closeQuery, req.query, 'query');
    res.json(await readCloseView(deps, sessionOf(req).tenantId, period));
  });

  // Written a page at a time: a period of any size is listed whole without being held in memory.
  router.get('/api/v1/close/evidence.csv', ...accountant, async (req, res) => {
    const period = parseInput(closeQuery, req.query, 'query');
    res.type('text/csv; charset=utf-8');
    res.attachment(`ledgerpod-evidence-${period.from}-to-${period.to}.csv`);
    res.setHeader('cache-control', 'no-store');
    res.write(csvHeader());
    for await (const page of periodEvidence(deps.db, sessionOf(req).tenantId, period))
      res.write(csvRows(page));
    res.end();
  });

  router.get('/api/v1/close/evidence.html', ...accountant, async (req, res) => {
    const period = parseInput(closeQuery, req.query, 'query');
    const session = sessionOf(req);
    res.type('text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.write(htmlHead(period, session.memberName, new Date()));
    let count = 0;
    for await (const page of periodEvidence(deps.db, session.tenantId, period)) {
      count += page.length;
      res.write(htmlRows(page));
    }
    res.end(htmlFoot(count));
  });
  return router;
}
