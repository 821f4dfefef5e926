import { Router } from 'express';
import type { CorrectionAnswer, CorrectionStatus } from '../../contract/correction.js';
import { requireRole, requireSession, sessionOf } from '../auth/require-session.js';
import type { SessionTokens } from '../auth/session-token.js';
import { requestCorrection } from '../correction/correction-jobs.js';
import { type CorrectionDeps, correctable, readPreview } from '../correction/correction-read.js';
import {
  type CorrectionRow,
  latestCorrection,
  runningCorrection,
  settlementsOf,
  startCorrection,
} from '../correction/correction-store.js';
import { AppError } from '../shared/errors.js';
import { recordKey } from './record-status.js';
import { parseInput } from './validate.js';

/**
 * The one-click correction of a synced invoice edited in ConnectWise (issue 16 item 2): its
 * preview (reads both systems, changes nothing) and its start, for accountants and admins. The
 * start is idempotent: while one runs, asking again answers that one.
 */
export function correctionRoutes(deps: CorrectionDeps & { tokens: SessionTokens }): Router {
  const router = Router();
  const path = '/api/v1/records/:type/:cwId/correction';
  const guard = [requireSession(deps.tokens), requireRole('accountant')];

  const recordOf = async (tenantId: string, params: unknown) => {
    const { type, cwId } = parseInput(recordKey, params, 'path');
    if (type !== 'invoice' && type !== 'credit_memo')
      throw new AppError(400, 'correction_unsupported', `A correction is made for invoices, not ${type}s`, {
        hint: 'Reverse the record in the pod and sync it again.',
      });
    const record = await deps.records.get({ tenantId, type, cwId });
    return correctable(record, `${type === 'invoice' ? 'Invoice' : 'Credit memo'} ${cwId}`);
  };

  router.get(path, ...guard, async (req, res) => {
    const record = await recordOf(sessionOf(req).tenantId, req.params);
    const running = await runningCorrection(deps.db, record.id);
    // While one runs, the books are mid-way: its progress is the answer, not a fresh preview.
    if (running) return res.json({ preview: running.preview, correction: await view(deps, running) });
    const { preview } = await readPreview(deps, record);
    const latest = await latestCorrection(deps.db, record.id);
    res.json({ preview, correction: latest ? await view(deps, latest) : null } satisfies CorrectionAnswer);
  });

  router.post(path, ...guard, async (req, res) => {
    const session = sessionOf(req);
    const askedAt = new Date();
    const record = await recordOf(session.tenantId, req.params);
    const running = await runningCorrection(deps.db, record.id);
    if (running)
      return res.status(202).json({ preview: running.preview, correction: await view(deps, running) });
    const { preview } = await readPreview(deps, record);
    // A second click while this one read the preview: the first one's correction (running, or
    // done already) is the answer, and this preview, read mid-way through it, is not acted on.
    const latest = await latestCorrection(deps.db, record.id);
    if (latest && new Date(latest.created_at) >= askedAt)
      return res.status(202).json({ preview: latest.preview, correction: await view(deps, latest) });
    if (preview.blocked) {
      // A second click after the first one's correction finished: that correction is the answer.
      if (preview.blocked.code === 'nothing_to_correct' && latest?.status === 'done')
        return res.json({ preview, correction: await view(deps, latest) } satisfies CorrectionAnswer);
      throw new AppError(409, `correction_${preview.blocked.code}`, preview.blocked.message, {
        hint: 'Preview the correction again once the reason is dealt with.',
      });
    }
    const { correction, created } = await startCorrection(deps.db, {
      tenantId: session.tenantId,
      recordId: record.id,
      actor: session.memberId,
      preview,
    });
    if (created) {
      await deps.records.note(record, session.memberId, 'correction_started', {
        correctionId: correction.id,
        changes: preview.changes,
        unapply: preview.unapply.length,
        role: session.role,
      });
      await requestCorrection(deps.jobs, {
        tenantId: session.tenantId,
        cwId: Number(record.cw_id),
        correctionId: correction.id,
        actor: session.memberId,
      });
    }
    res.status(202).json({ preview, correction: await view(deps, correction) } satisfies CorrectionAnswer);
  });

  return router;
}

/** A correction as the pod shows its progress: step, outcome and what it took off and put back. */
async function view(deps: CorrectionDeps, correction: CorrectionRow): Promise<CorrectionStatus> {
  const settlements = await settlementsOf(deps.db, correction.id);
  return {
    id: correction.id,
    status: correction.status,
    step: correction.step,
    startedBy: correction.started_by,
    startedAt: new Date(correction.created_at).toISOString(),
    finishedAt: correction.finished_at ? new Date(correction.finished_at).toISOString() : null,
    error: correction.last_error
      ? {
          code: correction.last_error.code,
          message: correction.last_error.message,
          hint: correction.last_error.hint,
        }
      : null,
    settlements: settlements.map((s) => ({ kind: s.kind, state: s.state })),
  };
}
