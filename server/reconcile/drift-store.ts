import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { RecordRow, StoredDifference } from '../db/schema.js';
import { invoiceTypes } from '../records/record-kinds.js';
import { bookedStateList } from '../records/record-states.js';
import type { Difference } from './drift.js';

/** The drift check's findings (migration 0024): written by check-record.ts, read by the routes. */

export async function storeDrift(
  db: Db,
  record: RecordRow,
  found: { differences: Difference[]; cwBalanceMinor: bigint; ledgerBalanceMinor: bigint | undefined },
): Promise<void> {
  const values = {
    tenant_id: record.tenant_id,
    connection_id: record.connection_id,
    company_id: record.company_id,
    checked_at: new Date(),
    cw_balance_minor: String(found.cwBalanceMinor),
    ledger_balance_minor: found.ledgerBalanceMinor === undefined ? null : String(found.ledgerBalanceMinor),
    differences: JSON.stringify(found.differences),
    difference_count: found.differences.length,
  };
  await db
    .insertInto('record_drift')
    .values({ record_id: record.id, ...values })
    .onConflict((oc) => oc.column('record_id').doUpdateSet(values))
    .execute();
}

export async function clearDrift(db: Db, recordId: string): Promise<void> {
  await db.deleteFrom('record_drift').where('record_id', '=', recordId).execute();
}

export interface DriftView {
  checkedAt: string;
  differences: StoredDifference[];
}

export async function driftOf(db: Db, recordId: string): Promise<DriftView | undefined> {
  const row = await db
    .selectFrom('record_drift')
    .select(['checked_at', 'differences'])
    .where('record_id', '=', recordId)
    .executeTakeFirst();
  return row && { checkedAt: new Date(row.checked_at).toISOString(), differences: row.differences };
}

/** The Differences queue: a tenant's records with differences, newest finding first. */
export function recordsWithDifferences(db: Db, tenantId: string, limit = 200) {
  return db
    .selectFrom('record_drift as d')
    .innerJoin('records as r', 'r.id', 'd.record_id')
    .select([
      'r.type',
      'r.cw_id',
      'r.number',
      'r.company_id',
      'r.company_name',
      'r.currency',
      'r.decimals',
      'r.state',
      'r.ledger_kind',
      'd.checked_at',
      'd.differences',
      'd.cw_balance_minor',
      'd.ledger_balance_minor',
    ])
    .where('d.tenant_id', '=', tenantId)
    .where('d.difference_count', '>', 0)
    .orderBy('d.checked_at', 'desc')
    .limit(limit)
    .execute();
}

/**
 * One company's receivables as both systems see them, over the records Ledgerpod synced and
 * checked: the sums per currency, and the records whose differences explain the gap.
 */
export async function companyBalances(db: Db, tenantId: string, companyId: string) {
  const totals = await db
    .selectFrom('record_drift as d')
    .innerJoin('records as r', 'r.id', 'd.record_id')
    .select([
      'r.currency',
      'r.decimals',
      sql<string>`sum(case when r.type = 'credit_memo' then -d.cw_balance_minor else d.cw_balance_minor end)`.as(
        'cw',
      ),
      sql<string>`sum(case when r.type = 'credit_memo' then -coalesce(d.ledger_balance_minor, 0) else coalesce(d.ledger_balance_minor, 0) end)`.as(
        'ledger',
      ),
      sql<string>`count(*)`.as('records'),
      sql<Date>`min(d.checked_at)`.as('oldest_check'),
    ])
    .where('d.tenant_id', '=', tenantId)
    .where('d.company_id', '=', companyId)
    .groupBy(['r.currency', 'r.decimals'])
    .execute();
  const explaining = await db
    .selectFrom('record_drift as d')
    .innerJoin('records as r', 'r.id', 'd.record_id')
    .select([
      'r.type',
      'r.cw_id',
      'r.number',
      'r.currency',
      'r.decimals',
      'd.cw_balance_minor',
      'd.ledger_balance_minor',
      'd.differences',
    ])
    .where('d.tenant_id', '=', tenantId)
    .where('d.company_id', '=', companyId)
    .where('d.difference_count', '>', 0)
    .orderBy('r.number')
    .execute();
  return { totals, explaining };
}

/** The rolling pass: a tenant's synced records whose last check is oldest (never checked first). */
export async function dueForCheck(db: Db, limit: number, olderThan: Date) {
  return db
    .selectFrom('records as r')
    .leftJoin('record_drift as d', 'd.record_id', 'r.id')
    .select(['r.tenant_id', 'r.type', 'r.cw_id'])
    .where('r.type', 'in', invoiceTypes)
    .where('r.state', 'in', bookedStateList)
    .where('r.ledger_id', 'is not', null)
    .where((eb) => eb.or([eb('d.checked_at', 'is', null), eb('d.checked_at', '<', olderThan)]))
    .orderBy(sql`d.checked_at asc nulls first`)
    .limit(limit)
    .execute();
}
