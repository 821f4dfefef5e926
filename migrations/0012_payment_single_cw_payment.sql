-- One payment per ConnectWise invoice (tenant setting cwPaymentsPerInvoice = 'one'): every ledger
-- payment of an invoice goes into the invoice's single CW payment. The amount that payment held
-- before this ledger payment was first added, in the record's minor units, stored before the CW
-- write: the base (what was there before Ledgerpod's first share) plus the shares of the rows still
-- written make every later write an idempotent "replace amount with" (payments-back.ts).
alter table payments add column cw_before_minor bigint;
