import { sql } from 'kysely';
import type { Db } from '../../server/db/database.js';

export interface SeededTenants {
  tenantIds: string[];
  recordsPerTenant: number;
  /** CW ids are firstCwId .. firstCwId + recordsPerTenant - 1 in every tenant. */
  firstCwId: number;
}

/**
 * Bulk SQL: `tenants` tenants with `perTenant` invoice records each (mixed states, ledger ids,
 * batches), two audit events per record, a payment on every paid record, a credit applied to
 * every synced one and a drift finding on every record in the books. Every row's
 * refreshed_at is now(), so the status route answers from the database without queuing a refresh.
 */
export async function seedRecords(db: Db, tenants: number, perTenant: number): Promise<SeededTenants> {
  const firstCwId = 10_000;
  await sql`
    insert into tenants (name, cw_site, cw_company_id, cw_client_id, cw_keys_enc)
    select 'Bench MSP ' || g, 'bench' || g || '.cw.example.test', 'bench' || g, 'client', 'unused'
    from generate_series(1, ${tenants}) g`.execute(db);
  await sql`
    insert into ledger_connections (tenant_id, kind, external_id, name, tokens_enc, access_expires_at, is_default)
    select id, 'qbo', 'realm-' || cw_company_id, 'QuickBooks Online', 'unused', now() + interval '1 hour', true
    from tenants where cw_company_id like 'bench%'`.execute(db);
  await sql`
    insert into records (tenant_id, type, cw_id, number, record_date, company_id, company_name, total_minor,
      balance_minor, state, connection_id, ledger_kind, ledger_id, ledger_number, ledger_total_minor,
      ledger_balance_minor, cw_batch_id, cw_batch_identifier, version, refreshed_at, updated_at)
    select c.tenant_id, 'invoice', ${firstCwId} + r, 'INV' || lpad(r::text, 6, '0'),
      date '2024-01-01' + (r % 365), 1 + r % 60, 'Company ' || (1 + r % 60), 10000 + r * 7,
      case when r % 4 = 1 then 0 else 10000 + r * 7 end,
      (array['synced', 'paid', 'unposted', 'onboarded'])[1 + r % 4], c.id, 'qbo',
      (1000 + r)::text, 'INV' || lpad(r::text, 6, '0'), 10000 + r * 7,
      case when r % 4 = 1 then 0 else 10000 + r * 7 end, 5000 + r, 'LP-INV' || lpad(r::text, 6, '0'), 3,
      now(), now() - make_interval(secs => r)
    from ledger_connections c, generate_series(0, ${perTenant - 1}) r
    where c.external_id like 'realm-bench%'`.execute(db);
  await sql`
    insert into record_events (tenant_id, record_id, at, actor, kind, from_state, to_state, detail)
    select tenant_id, id, updated_at - interval '5 seconds', 'afinch', 'queued', 'unposted', 'queued', '{}'::jsonb
    from records where state <> 'unposted'
    union all
    select tenant_id, id, updated_at, 'system', 'synced', 'pushed', 'synced', '{"ledgerId":"x"}'::jsonb
    from records where state <> 'unposted'`.execute(db);
  await sql`
    insert into payments (tenant_id, record_id, connection_id, ledger_payment_id, amount_minor, currency,
      paid_on, cw_payment_id, state)
    select tenant_id, id, connection_id, 'pay-' || cw_id, total_minor, 'USD', record_date + 20, cw_id, 'written'
    from records where state = 'paid'`.execute(db);
  // A credit applied to every fourth record (by the record after it, standing in for a credit memo),
  // so the status query's credit look-ups meet a table too big to scan.
  await sql`
    insert into credit_applications (tenant_id, connection_id, credit_record_id, invoice_record_id,
      amount_minor, currency, applied_on, state)
    select i.tenant_id, i.connection_id, c.id, i.id, 500, 'USD', i.record_date + 10, 'applied'
    from records i join records c on c.tenant_id = i.tenant_id and c.cw_id = i.cw_id + 1
    where i.state = 'synced'`.execute(db);
  // The drift check's finding for every record in the books (the rolling pass checks each), one in
  // ten with a difference: the status read joins it by the record's id.
  await sql`
    insert into record_drift (record_id, tenant_id, connection_id, company_id, cw_balance_minor,
      ledger_balance_minor, differences, difference_count)
    select id, tenant_id, connection_id, company_id, balance_minor, ledger_balance_minor,
      case when cw_id % 10 = 0 then '[{"code":"payment_missing_in_books","cause":"A payment was entered in ConnectWise but is not in QuickBooks.","fix":{"text":"Receive it in QuickBooks."}}]'::jsonb else '[]'::jsonb end,
      case when cw_id % 10 = 0 then 1 else 0 end
    from records where state in ('synced', 'paid')`.execute(db);
  await sql`analyze`.execute(db);
  const rows = await db
    .selectFrom('tenants')
    .select('id')
    .where('cw_company_id', 'like', 'bench%')
    .orderBy('cw_company_id')
    .execute();
  return { tenantIds: rows.map((r) => r.id), recordsPerTenant: perTenant, firstCwId };
}
