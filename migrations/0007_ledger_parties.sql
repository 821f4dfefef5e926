-- Which ledger customer / vendor books a CW company, per ledger connection: found or created once,
-- then reused, so a push does not look the party up again (one ledger call saved per record).
-- A row is only a cache of what the ledger answered; dropping it costs a look-up, never a duplicate.
create table ledger_parties (
  connection_id uuid not null references ledger_connections (id) on delete cascade,
  kind text not null check (kind in ('customer', 'vendor')),
  cw_id text not null,
  ledger_id text not null,
  updated_at timestamptz not null default now(),
  primary key (connection_id, kind, cw_id)
);
