-- ConnectWise callbacks that cannot be lost (issue 15, item 3).
--
-- The callback route stores each verified callback here with one insert and answers; the work it
-- asks for (re-reading the record, pushing it on close) runs in a job that drains this inbox. No
-- other work takes locks on this table, so a database busy elsewhere (records, the job queue) does
-- not hold up the answer ConnectWise waits 5 s for (domain.md §8). The unique key is the replay
-- guard: a retried delivery of a stored message is answered without a second row.
create table connectwise_callback_inbox (
  id bigserial primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  message_id text not null,
  type text not null,
  action text not null,
  entity_id bigint not null,
  received_at timestamptz not null default now(),
  -- A drain's claim: a row claimed by a drain that died is claimed again after a minute.
  claimed_at timestamptz,
  processed_at timestamptz,
  unique (tenant_id, message_id)
);
create index connectwise_callback_inbox_waiting on connectwise_callback_inbox (id) where processed_at is null;
create index connectwise_callback_inbox_tenant_received on connectwise_callback_inbox (tenant_id, received_at desc);

-- What the callback watchdog last found for a tenant's registration in ConnectWise (ConnectWise
-- disables a callback that has failed for 3 days: domain.md §8), what it repaired, and how far the
-- back-fill of closes from the unposted list has reached.
create table connectwise_callback_watch (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  callback_id bigint,
  -- healthy | re-enabled | registered | failed
  state text not null,
  checked_at timestamptz not null default now(),
  repaired_at timestamptz,
  -- disabled | missing: what the last repair found
  repaired_problem text,
  backfilled_through timestamptz,
  backfilled_count integer not null default 0,
  last_error jsonb
);
