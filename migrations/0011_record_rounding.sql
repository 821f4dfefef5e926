-- Rounding is never silent (issue 13): when a document was booked with a rounding line, or at a
-- total other than ConnectWise's exact figure (QBO keeps ISK at 0 dp; a CW invoice can say
-- 4546628.64), the record keeps what was booked against what CW shows, for the pod and the API.
alter table records add column rounding jsonb;
