-- The drift check's last finding per synced record (issue 16 item 1, server/reconcile/): the
-- differences between ConnectWise and the books, each with its cause and fix, and both balances,
-- so the pod, the workbench's Differences queue and the per-company view read one row instead of
-- calling ConnectWise and the ledger.
create table record_drift (
  record_id uuid primary key references records (id) on delete cascade,
  tenant_id uuid not null references tenants (id) on delete cascade,
  connection_id uuid,
  company_id bigint,
  checked_at timestamptz not null default now(),
  cw_balance_minor bigint not null,
  ledger_balance_minor bigint,
  differences jsonb not null default '[]',
  difference_count integer not null default 0
);
-- The Differences queue lists a tenant's records with differences; the rolling pass picks the
-- records checked longest ago.
create index record_drift_open on record_drift (tenant_id) where difference_count > 0;
create index record_drift_company on record_drift (tenant_id, company_id);
create index record_drift_checked on record_drift (checked_at);
-- A payment row is written to ConnectWise by one writer at a time: a sweep, a webhook's targeted
-- read and the drift check's "write the missing payment" fix may run beside each other, and two of
-- them reading the row pending at once would each create the CW payment (server/sync/payments-back.ts).
alter table payments add column claimed_at timestamptz;
