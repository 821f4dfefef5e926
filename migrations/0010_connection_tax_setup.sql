-- How a QuickBooks company takes tax (US sales tax, per-line codes elsewhere, or none), read from its
-- Preferences and CompanyInfo when it is connected; null for Xero and for connections made before.
-- A QBO ledger without it reads the company's preferences itself before its first document.
alter table ledger_connections add column tax_setup jsonb;
