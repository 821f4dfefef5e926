-- Ledgerpod's first schema: see docs/architecture.md ("Data").
create table tenants (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  cw_site text not null,
  cw_company_id text not null,
  -- Base URL of the ConnectWise REST API when it is not derived from the site (simulator, on-premise).
  cw_api_url text,
  cw_client_id text not null,
  cw_keys_enc text not null,
  settings jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (cw_site, cw_company_id)
);

create table ledger_connections (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  kind text not null check (kind in ('qbo', 'xero')),
  external_id text not null,
  name text not null default '',
  tokens_enc text not null,
  access_expires_at timestamptz not null,
  status text not null default 'active' check (status in ('active', 'needs_reconnect', 'disconnected')),
  status_reason text,
  cw_location_ids integer[] not null default '{}',
  is_default boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, kind, external_id)
);

create table mappings (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  connection_id uuid not null references ledger_connections (id) on delete cascade,
  kind text not null check (kind in ('gl_account', 'tax_code', 'class', 'item', 'terms')),
  cw_key text not null,
  ledger_key text not null,
  ledger_name text not null default '',
  updated_at timestamptz not null default now(),
  unique (connection_id, kind, cw_key)
);
create index mappings_tenant on mappings (tenant_id);

create table records (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  type text not null check (type in ('invoice', 'credit_memo', 'expense', 'procurement', 'adjustment')),
  cw_id bigint not null,
  number text not null default '',
  record_date date,
  company_id bigint,
  company_name text not null default '',
  cw_location_id integer,
  currency text not null default 'USD',
  decimals smallint not null default 2,
  total_minor bigint not null default 0,
  balance_minor bigint not null default 0,
  state text not null default 'unknown' check (state in (
    'unposted', 'queued', 'exported', 'pushed', 'synced', 'partly_paid', 'paid', 'onboarded', 'error', 'not_closed', 'unknown'
  )),
  connection_id uuid references ledger_connections (id) on delete set null,
  ledger_kind text check (ledger_kind in ('qbo', 'xero')),
  ledger_id text,
  ledger_number text,
  ledger_total_minor bigint,
  ledger_balance_minor bigint,
  ledger_status text,
  cw_batch_id bigint,
  cw_batch_identifier text,
  gl_entry_ids bigint[] not null default '{}',
  last_error jsonb,
  version integer not null default 0,
  refreshed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, type, cw_id)
);
create index records_tenant_state on records (tenant_id, state, type);
create index records_tenant_company on records (tenant_id, company_id);

create table record_events (
  id bigserial primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  record_id uuid references records (id) on delete cascade,
  at timestamptz not null default now(),
  actor text not null,
  kind text not null,
  from_state text,
  to_state text,
  detail jsonb not null default '{}'
);
create index record_events_record on record_events (record_id, id);
create index record_events_tenant_at on record_events (tenant_id, at);

create table payments (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  record_id uuid not null references records (id) on delete cascade,
  connection_id uuid not null references ledger_connections (id) on delete cascade,
  ledger_payment_id text not null,
  amount_minor bigint not null,
  currency text not null,
  paid_on date not null,
  cw_payment_id bigint,
  state text not null default 'pending' check (state in ('pending', 'written', 'deleted', 'error')),
  last_error jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (connection_id, ledger_payment_id, record_id)
);
create index payments_record on payments (record_id);

create table onboarding_runs (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  inputs jsonb not null,
  input_hash text not null,
  state text not null default 'pending' check (state in ('pending', 'running', 'done', 'failed')),
  total integer not null default 0,
  done integer not null default 0,
  failed integer not null default 0,
  by_type jsonb not null default '{}',
  errors jsonb not null default '[]',
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  unique (tenant_id, input_hash)
);

create table webhook_events (
  provider text not null check (provider in ('connectwise', 'qbo', 'xero')),
  event_id text not null,
  tenant_id uuid references tenants (id) on delete cascade,
  received_at timestamptz not null default now(),
  primary key (provider, event_id)
);
