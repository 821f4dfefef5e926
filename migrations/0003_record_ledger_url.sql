-- The link to the document in QuickBooks Online or Xero, as the ledger reports it.
alter table records add column ledger_url text;
-- The workbench lists by recency within a tenant.
create index records_tenant_updated on records (tenant_id, updated_at desc, id);
-- Invoices and credit memos share ConnectWise's invoice id space: one record per CW invoice id.
create unique index records_tenant_invoice_family on records (
  tenant_id,
  (case when type in ('invoice', 'credit_memo') then 'invoice' else type end),
  cw_id
);
