-- A payment voided in the ledger (QBO keeps it, zeroed, with a "Voided" note) is shown as voided,
-- not as deleted: both remove the ConnectWise payment we wrote, but the books tell them apart.
alter table payments drop constraint payments_state_check;
alter table payments
  add constraint payments_state_check check (state in ('pending', 'written', 'deleted', 'voided', 'error'));
