-- Inventory transfers (CW procurement type `Transfer`) become a record type of their own, booked as
-- journals (issue 16 item 3). The constraint is the one 0001 made inline (Postgres names it
-- records_type_check).
alter table records drop constraint records_type_check;
alter table records add constraint records_type_check
  check (type in ('invoice', 'credit_memo', 'expense', 'procurement', 'adjustment', 'transfer'));

-- What we last wrote to (or found on) the ledger party: the CW company's name, email and address.
-- A push whose company still shows these makes no ledger call; one whose company changed in CW
-- updates the party by its stored id (server/ledgers/party-cache.ts) and says so in the audit trail.
-- Null on rows from before: the next push takes the company as it is then, with no call.
alter table ledger_parties add column sent_details jsonb;
