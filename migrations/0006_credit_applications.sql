-- A CW credit memo applied to a CW invoice, made once in the ledger both were pushed to.
-- pending -> applying (claimed by one worker) -> applied; a refusal the ledger gives ends in error.
create table credit_applications (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  connection_id uuid not null references ledger_connections (id) on delete cascade,
  credit_record_id uuid not null references records (id) on delete cascade,
  invoice_record_id uuid not null references records (id) on delete cascade,
  cw_payment_id bigint,
  amount_minor bigint not null,
  currency text not null,
  applied_on date not null,
  state text not null default 'pending' check (state in ('pending', 'applying', 'applied', 'error')),
  ledger_application_id text,
  last_error jsonb,
  claimed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (credit_record_id, invoice_record_id)
);
create index credit_applications_invoice on credit_applications (invoice_record_id);
