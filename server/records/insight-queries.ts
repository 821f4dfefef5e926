import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { invoiceTypes } from './record-kinds.js';

/**
 * A company's invoices and credit memos by state and currency: counts and receivable balances on
 * both sides (credit memos count against), summed in the database as exact minor units in text.
 */
export function companyBalances(db: Db, tenantId: string, companyCwId: number) {
  return db
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
    .where('company_id', '=', String(companyCwId))
    .where('type', 'in', invoiceTypes)
    .groupBy(['state', 'currency', 'decimals'])
    .execute();
}

/** Records that reached synced, and that failed, on each of the last `days` days (empty days too). */
export async function dailyCounts(db: Db, tenantId: string, days: number) {
  const result = await sql<{ day: string; synced: string; errors: string }>`
      select to_char(d.day, 'YYYY-MM-DD') as day,
             count(e.id) filter (where e.to_state = 'synced' and e.from_state is distinct from 'synced')::text as synced,
             count(e.id) filter (where e.to_state = 'error' and e.from_state is distinct from 'error')::text as errors
      from generate_series(current_date - (${days}::int - 1), current_date, interval '1 day') as d(day)
      left join record_events e on e.tenant_id = ${tenantId} and e.at >= d.day and e.at < d.day + interval '1 day'
      group by d.day order by d.day`.execute(db);
  return result.rows;
}
