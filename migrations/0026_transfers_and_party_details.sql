-- Inventory transfers (CW procurement type `Transfer`) become a record type of their own, booked as
-- journals (issue 16 item 3). The constraint is the one 0001 made inline (Postgres names it
-- records_type_check).
alter table records drop constraint records_type_check;
alter table records add constraint records_type_check
  check (type in ('invoice', 'credit_memo', 'expense', 'procurement', 'adjustment', 'transfer'));
