-- Shared call limits per ledger connection (or any key), so every process respects one budget.
-- GCRA: `tat` is the theoretical arrival time of the next call; a call may go when tat - now <= burst.
create table call_rates (
  key text primary key,
  tat timestamptz not null default now(),
  -- The token of the last call let through: how a caller learns its own call was allowed.
  last_token text,
  updated_at timestamptz not null default now()
);

-- Concurrency slots held as expiring leases, so a crashed worker never holds a slot for long.
create table call_leases (
  key text not null,
  slot integer not null,
  holder text,
  expires_at timestamptz not null default '-infinity',
  primary key (key, slot)
);
