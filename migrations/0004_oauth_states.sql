-- OAuth `state` values handed out by the connect flow: each may complete one callback, once.
create table oauth_states (
  jti text primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  kind text not null check (kind in ('qbo', 'xero')),
  member_id text not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index oauth_states_expires on oauth_states (expires_at);
