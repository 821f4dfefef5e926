-- One-click correction of a synced invoice edited in ConnectWise (issue 16 item 2,
-- server/correction/): reverse its batch, update the same ledger document, re-batch. One running
-- correction per record, so a double click or two accountants start it once.
create table corrections (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  record_id uuid not null references records (id) on delete cascade,
  status text not null default 'running' check (status in ('running', 'done', 'failed')),
  step text not null default 'started',
  started_by text not null,
  -- What the preview showed when it was started: before -> after, what comes off and goes back.
  preview jsonb not null default '{}',
  last_error jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz
);
create unique index corrections_one_running on corrections (record_id) where status = 'running';
create index corrections_record on corrections (record_id, created_at desc);

-- Money taken off the ledger document so the ledger lets its lines change (Xero refuses to edit a
-- document with a payment or credit allocated), written down BEFORE it is taken off, so a crash
-- between the two never loses a payment; restored_id is what put it back (each put back once).
create table correction_settlements (
  id uuid primary key default gen_random_uuid(),
  correction_id uuid not null references corrections (id) on delete cascade,
  kind text not null check (kind in ('payment', 'credit')),
  -- The ledger's payment id, or the credit note's allocation id.
  ledger_id text not null,
  credit_id text,
  credit_number text,
  amount_minor bigint not null,
  decimals integer not null,
  currency text not null,
  paid_on date not null,
  account_code text,
  reference text,
  state text not null default 'saved' check (state in ('saved', 'removed', 'restored')),
  restored_id text,
  updated_at timestamptz not null default now(),
  unique (correction_id, kind, ledger_id)
);
