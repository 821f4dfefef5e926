-- Where the payments sweep of a ledger connection resumes: payments changed after this moment.
alter table ledger_connections add column payments_cursor timestamptz;
