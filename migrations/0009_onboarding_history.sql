-- Onboarded history is told apart from records to book (issue 14): each record onboarding touched
-- keeps the run that batched it (or failed to), so fixing it onboards it again instead of pushing a
-- years-old invoice to the books. A run keeps who started it, for the admin tab's run history.
alter table records add column onboarding_run_id uuid references onboarding_runs (id) on delete set null;
create index records_onboarding_run on records (onboarding_run_id) where onboarding_run_id is not null;
alter table onboarding_runs add column started_by text not null default '';
create index onboarding_runs_tenant_started on onboarding_runs (tenant_id, started_at desc);
