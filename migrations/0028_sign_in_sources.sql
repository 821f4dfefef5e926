-- The networks (client address, IPv6 by /64) each member signed in from with ConnectWise's
-- confirmation (issue 18, finding 1: server/auth/sign-in-sources.ts). A sign-in from one of them
-- draws on its own per-source allowance only, never on the tenant-wide pool that forged sign-ins
-- from many addresses can spend, so such a flood cannot lock the tenant's members out. Rows are
-- written only after a real sign-in; each member keeps a few, the most recent (a member cannot
-- make an unbounded number of networks "known"), and none older than 30 days counts.
create table sign_in_sources (
  tenant_id uuid not null references tenants(id) on delete cascade,
  source text not null,
  member_id text not null,
  verified_at timestamptz not null default now(),
  primary key (tenant_id, source, member_id)
);
create index sign_in_sources_member on sign_in_sources (tenant_id, member_id, verified_at desc);
