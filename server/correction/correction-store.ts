import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { CorrectionSettlementsTable, CorrectionsTable, StoredError } from '../db/schema.js';
import type { Settlement } from '../ledgers/ledger.js';

export type CorrectionRow = Selectable<CorrectionsTable>;
export type SettlementRow = Selectable<CorrectionSettlementsTable>;

/** Corrections and the money each took off a document (migration 0025). */

/**
 * The record's running correction, or a new one: the unique index on running corrections makes two
 * clicks at once start one. `created` says whether this call started it.
 */
export async function startCorrection(
  db: Db,
  input: { tenantId: string; recordId: string; actor: string; preview: unknown },
): Promise<{ correction: CorrectionRow; created: boolean }> {
  const inserted = await db
    .insertInto('corrections')
    .values({
      tenant_id: input.tenantId,
      record_id: input.recordId,
      started_by: input.actor,
      preview: JSON.stringify(input.preview),
    })
    .onConflict((oc) => oc.column('record_id').where('status', '=', 'running').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { correction: inserted, created: true };
  const running = await runningCorrection(db, input.recordId);
  if (!running) throw new Error(`record ${input.recordId}: correction neither started nor running`);
  return { correction: running, created: false };
}

export const runningCorrection = (db: Db, recordId: string) =>
  db
    .selectFrom('corrections')
    .selectAll()
    .where('record_id', '=', recordId)
    .where('status', '=', 'running')
    .executeTakeFirst();

export const latestCorrection = (db: Db, recordId: string) =>
  db
    .selectFrom('corrections')
    .selectAll()
    .where('record_id', '=', recordId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();

export const getCorrection = (db: Db, id: string) =>
  db.selectFrom('corrections').selectAll().where('id', '=', id).executeTakeFirst();

export async function setStep(db: Db, id: string, step: string, error: StoredError | null = null) {
  await db
    .updateTable('corrections')
    .set({ step, last_error: error ? JSON.stringify(error) : null, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function finishCorrection(
  db: Db,
  id: string,
  status: 'done' | 'failed',
  error: StoredError | null = null,
) {
  await db
    .updateTable('corrections')
    .set({
      status,
      step: status,
      last_error: error ? JSON.stringify(error) : null,
      updated_at: new Date(),
      finished_at: new Date(),
    })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .execute();
}

/** Written down before it is taken off: a crash after the delete still knows what to put back. */
export async function saveSettlements(db: Db, correctionId: string, settlements: Settlement[]) {
  if (settlements.length === 0) return;
  await db
    .insertInto('correction_settlements')
    .values(
      settlements.map((s) => ({
        correction_id: correctionId,
        kind: s.kind,
        ledger_id: s.id,
        credit_id: s.creditId ?? null,
        credit_number: s.creditNumber ?? null,
        amount_minor: String(s.amountMinor),
        decimals: s.decimals,
        currency: s.currency,
        paid_on: s.date,
        account_code: s.accountCode ?? null,
        reference: s.reference ?? null,
      })),
    )
    .onConflict((oc) => oc.columns(['correction_id', 'kind', 'ledger_id']).doNothing())
    .execute();
}

export const settlementsOf = (db: Db, correctionId: string) =>
  db
    .selectFrom('correction_settlements')
    .selectAll()
    .where('correction_id', '=', correctionId)
    .orderBy('paid_on')
    .orderBy('ledger_id')
    .execute();

export async function markSettlement(
  db: Db,
  id: string,
  state: 'removed' | 'restored',
  restoredId?: string,
): Promise<void> {
  await db
    .updateTable('correction_settlements')
    .set({ state, ...(restoredId ? { restored_id: restoredId } : {}), updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/** A stored row as the ledger's Settlement again. */
export function settlementOfRow(row: SettlementRow): Settlement {
  const date = typeof row.paid_on === 'string' ? row.paid_on : new Date(row.paid_on).toISOString();
  return {
    kind: row.kind,
    id: row.ledger_id,
    ...(row.credit_id ? { creditId: row.credit_id } : {}),
    ...(row.credit_number ? { creditNumber: row.credit_number } : {}),
    amountMinor: BigInt(row.amount_minor),
    decimals: row.decimals,
    currency: row.currency,
    date: date.slice(0, 10),
    ...(row.account_code ? { accountCode: row.account_code } : {}),
    ...(row.reference ? { reference: row.reference } : {}),
  };
}
