-- ConnectWise's sales tax on an invoice or credit memo, in the record's minor units, as read with
-- its total (invoice-columns.ts): the auditors' evidence of a period (issue 16 item 5) shows both.
-- Null where it was never read from the invoice itself (records synced before this column, and
-- GL-export records, whose tax lives in their export lines).
alter table records add column tax_minor bigint;
