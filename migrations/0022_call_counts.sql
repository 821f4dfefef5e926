-- Every outside call counted per budget key (qbo:<realm>, xero:<tenant id>, cw:<tenant>, and
-- qbo:app for Intuit's app-wide total) and period: QBO reads and writes per calendar month, Xero
-- calls per day and per minute, ConnectWise calls per minute and per day (metering/periods.ts).
-- Shared by every process, so the budget guard and the health tab see the whole fleet's use.
-- Written by metering/call-meter.ts in batches, one upsert a second per process.
create table call_counts (
  key text not null,
  period text not null,
  period_start timestamptz not null,
  calls bigint not null default 0,
  updated_at timestamptz not null default now(),
  primary key (key, period, period_start)
);
-- Pruning old minute and day rows (call-meter.ts) goes by period and start.
create index call_counts_period_start on call_counts (period, period_start);
