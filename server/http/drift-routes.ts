import { Router } from 'express';
import { z } from 'zod';
import type { CompanyDifferences, DifferenceRow, RecordDifferences } from '../../contract/differences.js';
import { requireRole, requireSession, sessionOf } from '../auth/require-session.js';
import type { SessionTokens } from '../auth/session-token.js';
import type { RecordRow } from '../db/schema.js';
import type { RecordJobDeps } from '../pipeline/deps.js';
import { checkRecord, isCheckable } from '../reconcile/check-record.js';
import { companyBalances, driftOf, recordsWithDifferences } from '../reconcile/drift-store.js';
import { fixDifference } from '../reconcile/fix-difference.js';
import { differenceView } from '../records/record-view.js';
import { AppError } from '../shared/errors.js';
import { formatMinor } from '../shared/money.js';
import { recordKey } from './record-status.js';
import { parseInput } from './validate.js';

const fixBody = z.object({
  code: z.string().min(1).max(60),
  ref: z.string().min(1).max(200),
});
const companyParams = z.object({ companyId: z.coerce.number().int().positive() });

/**
 * Differences between ConnectWise and the books (issue 16 item 1): a record's last finding (any
 * reader: the pod shows it), a check now and a fix (accountants), the Differences queue and one
 * company's receivables on both sides (accountants). Reads come from record_drift, never the APIs.
 */
export function driftRoutes(deps: RecordJobDeps & { tokens: SessionTokens }): Router {
  const router = Router();
  const signedIn = requireSession(deps.tokens);

  const recordOf = async (tenantId: string, params: unknown): Promise<RecordRow> => {
    const { type, cwId } = parseInput(recordKey, params, 'path');
    const record = await deps.records.get({ tenantId, type, cwId });
    if (!record) throw new AppError(404, 'not_found', `No ${type} ${cwId} is known to Ledgerpod`);
    return record;
  };
  const answer = async (record: RecordRow): Promise<RecordDifferences> => {
    const drift = await driftOf(deps.db, record.id);
    return {
      record: { type: record.type, cwId: Number(record.cw_id), number: record.number },
      checkable: isCheckable(record),
      checkedAt: drift?.checkedAt ?? null,
      differences: (drift?.differences ?? []).map((d) => differenceView(d, record.decimals)),
    };
  };

  router.get('/api/v1/records/:type/:cwId/differences', signedIn, async (req, res) => {
    res.json(await answer(await recordOf(sessionOf(req).tenantId, req.params)));
  });

  // On demand: reads both systems now (a member waits, so the budget guard does not hold it back).
  router.post(
    '/api/v1/records/:type/:cwId/differences/check',
    signedIn,
    requireRole('accountant'),
    async (req, res) => {
      const record = await recordOf(sessionOf(req).tenantId, req.params);
      await checkRecord(deps, record);
      res.json(await answer(record));
    },
  );

  router.post(
    '/api/v1/records/:type/:cwId/differences/fix',
    signedIn,
    requireRole('accountant'),
    async (req, res) => {
      const session = sessionOf(req);
      const record = await recordOf(session.tenantId, req.params);
      const body = parseInput(fixBody, req.body ?? {});
      const { fixed } = await fixDifference(deps, record, body, session.memberId);
      res.json({ fixed, ...(await answer(record)) } satisfies RecordDifferences);
    },
  );

  router.get('/api/v1/differences', signedIn, requireRole('accountant'), async (req, res) => {
    const rows = await recordsWithDifferences(deps.db, sessionOf(req).tenantId);
    res.json({
      records: rows.map((r) => ({
        type: r.type,
        cwId: Number(r.cw_id),
        number: r.number,
        companyId: r.company_id === null ? null : Number(r.company_id),
        companyName: r.company_name,
        currency: r.currency,
        state: r.state,
        ledgerKind: r.ledger_kind,
        checkedAt: new Date(r.checked_at).toISOString(),
        cwBalance: formatMinor(BigInt(r.cw_balance_minor), r.decimals),
        ledgerBalance:
          r.ledger_balance_minor === null ? null : formatMinor(BigInt(r.ledger_balance_minor), r.decimals),
        differences: r.differences.map((d) => differenceView(d, r.decimals)),
      })),
    } satisfies { records: DifferenceRow[] });
  });

  router.get(
    '/api/v1/companies/:companyId/differences',
    signedIn,
    requireRole('accountant'),
    async (req, res) => {
      const { companyId } = parseInput(companyParams, req.params, 'path');
      const { totals, explaining } = await companyBalances(
        deps.db,
        sessionOf(req).tenantId,
        String(companyId),
      );
      res.json({
        companyId,
        balances: totals.map((t) => ({
          currency: t.currency,
          records: Number(t.records),
          cw: formatMinor(BigInt(t.cw), t.decimals),
          ledger: formatMinor(BigInt(t.ledger), t.decimals),
          difference: formatMinor(BigInt(t.ledger) - BigInt(t.cw), t.decimals),
          oldestCheck: new Date(t.oldest_check).toISOString(),
        })),
        records: explaining.map((r) => ({
          type: r.type,
          cwId: Number(r.cw_id),
          number: r.number,
          currency: r.currency,
          cwBalance: formatMinor(BigInt(r.cw_balance_minor), r.decimals),
          ledgerBalance:
            r.ledger_balance_minor === null ? null : formatMinor(BigInt(r.ledger_balance_minor), r.decimals),
          differences: r.differences.map((d) => differenceView(d, r.decimals)),
        })),
      } satisfies CompanyDifferences);
    },
  );
  return router;
}
