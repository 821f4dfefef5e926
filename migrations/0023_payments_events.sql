-- Payments back driven by events (issue 15 item 1): a connection is no longer swept every minute.
-- payments_checked_at: when its last full check (QBO CDC, Xero If-Modified-Since poll) finished;
-- ledger_event_at: when a webhook last named it. With the open documents and the last payment seen
-- they decide when the next full check is due (server/sync/payments-schedule.ts).
alter table ledger_connections add column payments_checked_at timestamptz;
alter table ledger_connections add column ledger_event_at timestamptz;
-- The schedule counts each connection's open documents and finds its last payment every minute.
create index records_open_documents on records (connection_id)
  where type = 'invoice' and state in ('synced', 'partly_paid') and ledger_id is not null;
create index payments_connection_created on payments (connection_id, created_at desc);
