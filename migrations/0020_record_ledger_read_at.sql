-- When the ledger balance stored on a record was read (the moment the read started). Several jobs
-- read a document's balance from the ledger beside each other (a payment poll, a credit
-- application, a refresh); a read that started before a credit was applied can answer after the
-- applying job stored the new balance. The balance is stored only if its read started no earlier
-- than the stored one's, so the older answer never overwrites the newer (seen on CI).
alter table records add column ledger_read_at timestamptz;
