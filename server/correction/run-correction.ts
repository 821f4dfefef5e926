import type { RecordRow } from '../db/schema.js';
import { requestDriftCheck } from '../jobs/request-drift-check.js';
import type { Ledger, LedgerDocumentRef } from '../ledgers/ledger.js';
import { pushContextFor } from '../pipeline/push-context.js';
import { pushInvoice } from '../pipeline/push-invoice.js';
import { reverseRecord } from '../pipeline/reverse-record.js';
import { ledgerColumns, paidState } from '../records/ledger-amounts.js';
import { bookedStateList } from '../records/record-states.js';
import type { RecordKey } from '../records/record-store.js';
import { storedErrorOf } from '../records/stored-error.js';
import { AppError } from '../shared/errors.js';
import type { CorrectionDeps } from './correction-read.js';
import {
  type CorrectionRow,
  finishCorrection,
  getCorrection,
  markSettlement,
  type SettlementRow,
  saveSettlements,
  setStep,
  settlementOfRow,
  settlementsOf,
} from './correction-store.js';

/** The job of one correction: which one, of which record, asked by whom. */
export interface CorrectionJob {
  tenantId: string;
  cwId: number;
  correctionId: string;
  actor: string;
}

/** The steps in order; a retry skips every step the correction stored as done. */
const stepOrder = ['started', 'reversed', 'updated', 'pushed', 'done'] as const;
type Step = (typeof stepOrder)[number];
const reached = (correction: CorrectionRow, step: Step) =>
  stepOrder.indexOf(correction.step as Step) >= stepOrder.indexOf(step);

/**
 * One correction of a synced invoice edited in ConnectWise (issue 16 item 2), resumable at every
 * step: its own CW batch reversed (once: only before the step is stored), then a push of the record
 * (export, the same ledger document updated, the record's own batch made again: push-invoice.ts,
 * with its keys and look-ups), the update wrapped where the ledger refuses to edit a paid document:
 * each payment and credit allocation written down, taken off, and after the update put back, each
 * once (keyed by the correction and the original). Every step leaves an audit event on the record.
 */
export async function runCorrection(
  deps: CorrectionDeps,
  job: CorrectionJob,
  attempt: { retryCount: number; retryLimit: number },
): Promise<void> {
  let correction = await getCorrection(deps.db, job.correctionId);
  if (correction?.status !== 'running') return;
  const tenant = await deps.tenants.get(job.tenantId);
  if (!tenant) return;
  const key: RecordKey = { tenantId: job.tenantId, type: 'invoice', cwId: job.cwId };
  let record = await deps.records.get(key);
  if (!record) return;
  const ctx = await pushContextFor(deps, tenant, job.actor);
  let ledger: Ledger | undefined;
  try {
    if (!reached(correction, 'reversed')) {
      record = await reverseOwnBatch(deps, ctx.cw, key, record, job);
      correction = await advance(deps, correction, 'reversed');
    }
    // A push moves the record on from queued; one resumed mid-way (exported, pushed) goes on as it is.
    if (!reached(correction, 'pushed') && record.state !== 'exported' && record.state !== 'pushed') {
      record =
        (await deps.records.transitionIf(record, [record.state], {
          to: 'queued',
          set: { last_error: null },
          actor: job.actor,
          kind: 'correction_queued',
          detail: { correctionId: correction.id },
        })) ?? record;
    }
    const pushed = await pushInvoice(
      {
        ...ctx,
        async route(locationId) {
          const route = await ctx.route(locationId);
          if (!route) return undefined;
          ledger = route.ledger;
          return { ...route, ledger: correctingLedger(deps, route.ledger, correction!, record!, job.actor) };
        },
      },
      record,
    );
    record = pushed.record;
    correction = await advance(deps, correction, 'pushed');
    // The update was stored before a crash that came ahead of putting the money back: put it back now.
    if (!ledger) {
      const route = await ctx.route(record.cw_location_id);
      ledger = route?.ledger;
    }
    if (ledger?.correction) await putBackAll(deps, ledger, correction, record, job.actor);
    record = await storePaidState(deps, ledger, record);
    await finishCorrection(deps.db, correction.id, 'done');
    await deps.records.note(record, job.actor, 'corrected', {
      correctionId: correction.id,
      total: record.ledger_total_minor,
      restored: (await settlementsOf(deps.db, correction.id)).length,
    });
    await requestDriftCheck(deps.jobs, {
      tenantId: key.tenantId,
      type: 'invoice',
      cwId: key.cwId,
      reason: 'event',
    });
  } catch (error) {
    const stored = storedErrorOf(error);
    const lastAttempt = attempt.retryCount >= attempt.retryLimit;
    if (stored.retryable && !lastAttempt) {
      await setStep(deps.db, correction.id, correction.step, stored);
      throw error;
    }
    // Given up: whatever was taken off goes back on the document as it stands, then the record says why.
    if (ledger?.correction && record?.ledger_id)
      await putBackAll(deps, ledger, correction, record, job.actor).catch((putBackError: unknown) =>
        deps.logger.warn({ err: putBackError, correctionId: correction!.id }, 'correction put-back failed'),
      );
    await finishCorrection(deps.db, correction.id, 'failed', stored);
    const latest = await deps.records.get(key);
    if (latest)
      await deps.records.transitionIf(latest, [latest.state], {
        to: 'error',
        set: { last_error: JSON.stringify(stored) },
        actor: job.actor,
        kind: 'correction_failed',
        detail: { correctionId: correction.id, code: stored.code, message: stored.message },
      });
  }
}

async function advance(deps: CorrectionDeps, correction: CorrectionRow, step: Step): Promise<CorrectionRow> {
  await setStep(deps.db, correction.id, step);
  return { ...correction, step };
}

/** The record's own CW batch deleted (reverse-record.ts), or, where CW has it no more, the record unposted. */
async function reverseOwnBatch(
  deps: CorrectionDeps,
  cw: Parameters<typeof reverseRecord>[0]['cw'],
  key: RecordKey,
  record: RecordRow,
  job: CorrectionJob,
): Promise<RecordRow> {
  if (!record.cw_batch_id && !record.cw_batch_identifier) return record;
  try {
    await reverseRecord({ records: deps.records, cw }, key, job.actor);
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'not_batched')) throw error;
    await deps.records.transition(record, {
      to: 'unposted',
      set: { cw_batch_id: null, cw_batch_identifier: null, version: record.version + 1, last_error: null },
      actor: job.actor,
      kind: 'reversed',
      detail: { batchIdentifier: record.cw_batch_identifier, alreadyGone: true },
    });
  }
  return (await deps.records.get(key)) ?? record;
}

/**
 * The ledger as the correction's push sees it: its update of the document takes the money off first
 * and puts it back after, where the ledger refuses to edit a paid document; unchanged otherwise.
 */
function correctingLedger(
  deps: CorrectionDeps,
  ledger: Ledger,
  correction: CorrectionRow,
  record: RecordRow,
  actor: string,
): Ledger {
  const lifting = ledger.correction;
  if (!lifting) return ledger;
  return {
    ...ledger,
    async update(existing, document, partyId, idempotencyKey): Promise<LedgerDocumentRef> {
      const latest = (await getCorrection(deps.db, correction.id)) ?? correction;
      if (!reached(latest, 'updated')) {
        await takeOffAll(deps, ledger, correction, existing.id, record, actor);
        await ledger.update(existing, document, partyId, idempotencyKey);
        await setStep(deps.db, correction.id, 'updated');
        await deps.records.note(record, actor, 'correction_updated', {
          correctionId: correction.id,
          ledgerId: existing.id,
          idempotencyKey,
        });
      }
      await putBackAll(deps, ledger, correction, record, actor);
      return ledger.get(existing.type, existing.id);
    },
  };
}

/**
 * Each payment and allocation on the document written down first (once: the first attempt's list
 * is the one kept, so one put back is never taken off again), then each taken off and marked.
 * Ledgerpod's own record of a payment's way to ConnectWise is left as it is: the sweep holds back
 * from a record under correction, and putBack moves it to the payment that replaces it.
 */
async function takeOffAll(
  deps: CorrectionDeps,
  ledger: Ledger,
  correction: CorrectionRow,
  documentId: string,
  record: RecordRow,
  actor: string,
): Promise<void> {
  let rows = await settlementsOf(deps.db, correction.id);
  if (rows.length === 0) {
    await saveSettlements(deps.db, correction.id, await ledger.correction!.settlementsOf(documentId));
    rows = await settlementsOf(deps.db, correction.id);
  }
  for (const row of rows) {
    if (row.state !== 'saved') continue;
    await ledger.correction!.takeOff(settlementOfRow(row));
    await markSettlement(deps.db, row.id, 'removed');
    await deps.records.note(
      record,
      actor,
      row.kind === 'payment' ? 'payment_unapplied' : 'credit_unapplied',
      {
        correctionId: correction.id,
        ledgerId: row.ledger_id,
        amountMinor: String(row.amount_minor),
        date: settlementOfRow(row).date,
        ...(row.credit_number ? { creditNumber: row.credit_number } : {}),
      },
    );
  }
}

/** Each one taken off goes back once: keyed by the correction and the original, so a retry finds the first. */
async function putBackAll(
  deps: CorrectionDeps,
  ledger: Ledger,
  correction: CorrectionRow,
  record: RecordRow,
  actor: string,
): Promise<void> {
  for (const row of await settlementsOf(deps.db, correction.id)) {
    if (row.state !== 'removed') continue;
    const { id } = await ledger.correction!.putBack(
      settlementOfRow(row),
      record.ledger_id!,
      `lp-corr-${correction.id}-${row.kind}-${row.ledger_id}`,
    );
    if (row.kind === 'payment') await movePaymentRow(deps, record, row, id);
    await markSettlement(deps.db, row.id, 'restored', id);
    await deps.records.note(
      record,
      actor,
      row.kind === 'payment' ? 'payment_reapplied' : 'credit_reapplied',
      {
        correctionId: correction.id,
        ledgerId: row.ledger_id,
        restoredId: id,
        amountMinor: String(row.amount_minor),
      },
    );
  }
}

/**
 * The payment that replaces one taken off is the same money ConnectWise already shows: Ledgerpod's
 * row of it (which CW payment it wrote) now names the new ledger payment, so neither the deletion nor
 * the new payment moves anything in ConnectWise.
 */
async function movePaymentRow(deps: CorrectionDeps, record: RecordRow, row: SettlementRow, newId: string) {
  await deps.db
    .updateTable('payments')
    .set({ ledger_payment_id: newId, updated_at: new Date() })
    .where('record_id', '=', record.id)
    .where('ledger_payment_id', '=', row.ledger_id)
    .execute();
}

/** The record's amounts and paid state as the books hold them once the money is back. */
async function storePaidState(
  deps: CorrectionDeps,
  ledger: Ledger | undefined,
  record: RecordRow,
): Promise<RecordRow> {
  if (!ledger || !record.ledger_id) return record;
  const readStartedAt = new Date();
  const ref = await ledger.get('invoice', record.ledger_id);
  return (
    (await deps.records.storeLedgerRead(record, readStartedAt, {
      to: paidState(ref.totalMinor, ref.balanceMinor),
      set: ledgerColumns(ref, record.decimals),
      actor: 'correction',
      kind: 'balance_changed',
      fromStates: bookedStateList,
    })) ?? record
  );
}
