/**
 * A month for many tenants against the simulators (issue 15 item 5): what each connection costs
 * against the Intuit and Xero tiers, and how long a payment made in the ledger takes to reach
 * ConnectWise.
 *
 *   npx tsx bench/quota.ts [--tenants 100] [--days 30] [--day-seconds 20] [--per-day 2]
 *     [--idle-share 0.2] [--seed 15]
 *
 * Time is compressed, not virtual: each simulated day lasts `--day-seconds` of real time, and the
 * product runs its own schedule (cron, sweeps, webhooks) in real time. So the two parts of a
 * connection's cost are measured apart and added up for a real month:
 * - the schedule's cost, a rate in real time, measured on the idle tenants (no activity at all):
 *   their calls per real second, times a real day (Xero per day) or a real month (QBO reads);
 * - the activity's cost, calls per event, which compression does not change: an active tenant's
 *   calls in the run less the schedule's rate over the run's length.
 * Payment latency is real: from the payment made in the ledger simulator to the payment written in
 * ConnectWise (the `payments` row written), with the realistic latencies of bench/throughput.ts.
 * Targets (issue 15): p95 payment-to-CW <= 60 s QBO, <= 5 min Xero; an idle connection <= 100 QBO
 * reads and <= 150 Xero calls a day.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { startLedgerpod } from '../server/app/server.js';
import type { LedgerKind } from '../server/ledgers/ledger.js';
import { createLogger } from '../server/shared/log.js';
import { api } from '../test/support/cw-tenant.js';
import { invoice } from '../test/support/pipeline-world.js';
import { mintToken } from '../test/support/sim-world.js';
import { startTenantFleet } from '../test/support/tenant-fleet.js';
import { testConfig } from '../test/support/test-config.js';
import { createTestDatabase } from '../test/support/test-database.js';
import { flag, header, percentile, sleep } from './support/machine.js';
import { monthPlan, type PlannedInvoice } from './support/month-plan.js';

const tenantCount = Number(flag('tenants', '100'));
const days = Number(flag('days', '30'));
const daySeconds = Number(flag('day-seconds', '20'));
const perDay = Number(flag('per-day', '2'));
const idleShare = Number(flag('idle-share', '0.2'));
const seed = Number(flag('seed', '15'));
const latency = { cw: 120, qbo: 250, xero: 300 };
const webhookSecrets = { qboVerifier: 'quota-qbo-verifier', xeroKey: 'quota-xero-key' };
/** Published terms (domain.md §8): Intuit's free tier per app a month; Xero Starter per organisation a day. */
const tiers = {
  qboReadsPerAppMonth: 500_000,
  xeroStarterPerDay: 1_000,
  xeroPerMinute: 60,
  xeroPerDay: 5_000,
};
const dayMs = 86_400_000;

const plan = monthPlan({ tenants: tenantCount, days, seed, idleShare, perBusinessDay: perDay });
const kinds: LedgerKind[] = Array.from({ length: tenantCount }, (_, i) => (i % 2 === 0 ? 'qbo' : 'xero'));
const database = await createTestDatabase();
const secretKey = randomBytes(32);
const fleet = await startTenantFleet(database.db, [secretKey], kinds);
await fleet.latency(latency);
const config = testConfig({
  SECRET_KEY: secretKey.toString('hex'),
  LOG_LEVEL: 'warn',
  QBO_WEBHOOK_VERIFIER: webhookSecrets.qboVerifier,
  XERO_WEBHOOK_KEY: webhookSecrets.xeroKey,
  ...fleet.env(),
});
const pod = await startLedgerpod(config, { logger: createLogger('warn'), database });
await fleet.registerWebhooks(pod.url!, webhookSecrets);

console.info(
  [
    header('Quota month (bench/quota.ts)', {
      tenants: `${tenantCount} (QBO and Xero alternating), ${plan.idle.size} idle`,
      month: `${days} days of ${daySeconds} s each; ${plan.invoices.length} invoices and credit memos, ${plan.invoices.filter((i) => i.paidOn !== undefined).length} payments`,
      latency: `CW ${latency.cw} ms, QBO ${latency.qbo} ms, Xero ${latency.xero} ms`,
    }),
    '',
  ].join('\n'),
);

const tokens = new Map<string, { token: string; at: number }>();
const token = async (tenantId: string) => {
  const held = tokens.get(tenantId);
  if (held && Date.now() - held.at < 10 * 60_000) return held.token;
  const fresh = { token: await mintToken(config.sessionKey, tenantId, 'accountant'), at: Date.now() };
  tokens.set(tenantId, fresh);
  return fresh.token;
};

const cwIdOf = new Map<PlannedInvoice, number>();
let nextId = 60_000;
/** Record id -> when its payment was made in the ledger (ms). */
const paidAt = new Map<string, { at: number; kind: LedgerKind }>();
const errors: string[] = [];

async function bill(day: number) {
  const todays = plan.invoices.filter((i) => i.day === day);
  const byTenant = new Map<number, PlannedInvoice[]>();
  for (const i of todays) byTenant.set(i.tenant, [...(byTenant.get(i.tenant) ?? []), i]);
  await Promise.all(
    [...byTenant].map(async ([t, list]) => {
      const ft = fleet.tenants[t]!;
      const built = list.map((p) => {
        const id = nextId++;
        cwIdOf.set(p, id);
        return invoice(id, `Q${t}-${id}`, p.credit ? { type: 'CreditMemo' } : {});
      });
      await fleet.seedInvoices(ft, built);
      const records = list.map((p) => ({ type: p.credit ? 'credit_memo' : 'invoice', cwId: cwIdOf.get(p)! }));
      const res = await api(pod.url!, await token(ft.tenant.id), 'POST', '/api/v1/records/sync', { records });
      if (res.status !== 202) errors.push(`sync ${res.status}`);
    }),
  );
}

async function pay(day: number) {
  const due = plan.invoices.filter((i) => i.paidOn === day);
  for (const p of due) {
    const ft = fleet.tenants[p.tenant]!;
    const row = await database.db
      .selectFrom('records')
      .select(['id', 'ledger_id', 'total_minor', 'state'])
      .where('tenant_id', '=', ft.tenant.id)
      .where('cw_id', '=', String(cwIdOf.get(p)))
      .executeTakeFirst();
    if (!row?.ledger_id || row.state !== 'synced') {
      errors.push(`payment day ${day}: record not synced (${row?.state ?? 'absent'})`);
      continue;
    }
    const amount = ((Number(row.total_minor) * (p.part ?? 1)) / 100).toFixed(2);
    await fleet.recordPayment(ft, row.ledger_id, amount);
    paidAt.set(row.id, { at: Date.now(), kind: ft.kind });
  }
}

// The product checks every QBO connection once at start-up (CDC: webhooks sent while no process
// listened are lost to it); that one-off is not the schedule's daily cost, so the clock starts
// after it and it is reported on its own.
const qboConnections = fleet.tenants.filter((t) => t.kind === 'qbo').map((t) => t.connection.id);
for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(500)) {
  const checked = await database.db
    .selectFrom('ledger_connections')
    .select('id')
    .where('payments_checked_at', 'is not', null)
    .execute();
  if (qboConnections.every((id) => checked.some((c) => c.id === id))) break;
}
const startUpReads = kinds.map((k, i) => (k === 'qbo' ? fleet.calls[i]!.qbo.reads.length : 0));
const startUpXero = kinds.map((k, i) => (k === 'xero' ? fleet.calls[i]!.xero.times.length : 0));
const started = Date.now();
for (let day = 0; day < days; day++) {
  const dayStart = started + day * daySeconds * 1000;
  await sleep(Math.max(0, dayStart - Date.now()));
  await pay(day);
  await bill(day);
  if (day % 5 === 4)
    console.info(`day ${day + 1}/${days} done at ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
// The last payments get up to 6 minutes to arrive (Xero's target is 5).
const waitUntil = Date.now() + 6 * 60_000;
for (;;) {
  const written = await sql<{ n: string }>`
    select count(distinct record_id)::text as n from payments where state = 'written'`.execute(database.db);
  if (Number(written.rows[0]!.n) >= paidAt.size || Date.now() > waitUntil) break;
  await sleep(2000);
}
const elapsedMs = Date.now() - started;

// --- results ----------------------------------------------------------------------------------
const writtenRows = await database.db
  .selectFrom('payments')
  .select(['record_id', sql<Date>`min(updated_at)`.as('written')])
  .where('state', '=', 'written')
  .groupBy('record_id')
  .execute();
const latencies: Record<LedgerKind, number[]> = { qbo: [], xero: [] };
for (const r of writtenRows) {
  const made = paidAt.get(r.record_id);
  if (made) latencies[made.kind].push((new Date(r.written).getTime() - made.at) / 1000);
}
const missing = paidAt.size - writtenRows.filter((r) => paidAt.has(r.record_id)).length;

const afterStart = (log: { times: number[]; reads: number[] }) => ({
  times: log.times.filter((t) => t >= started),
  reads: log.reads.filter((t) => t >= started),
});
const ledgerCalls = (i: number) => afterStart(fleet.calls[i]![kinds[i] === 'qbo' ? 'qbo' : 'xero']);
const perRealDay = (n: number) => (n / elapsedMs) * dayMs;
const idleOf = (kind: LedgerKind) => [...plan.idle].filter((i) => kinds[i] === kind);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const idleQboReadsPerDay = mean(idleOf('qbo').map((i) => perRealDay(ledgerCalls(i).reads.length)));
const idleXeroCallsPerDay = mean(idleOf('xero').map((i) => perRealDay(ledgerCalls(i).times.length)));
const idleCwPerDay = mean([...plan.idle].map((i) => perRealDay(afterStart(fleet.calls[i]!.cw).times.length)));
const startUp = {
  qbo: mean(kinds.flatMap((k, i) => (k === 'qbo' ? [startUpReads[i]!] : []))),
  xero: mean(kinds.flatMap((k, i) => (k === 'xero' ? [startUpXero[i]!] : []))),
};
/**
 * An active tenant's real month: the schedule's real-time rate over 30 days plus its activity
 * (calls less the schedule's share of the run); its busiest real day: the schedule's day plus the
 * activity of its busiest simulated day.
 */
const activeCost = (i: number) => {
  const kind = kinds[i]!;
  const times = kind === 'qbo' ? ledgerCalls(i).reads : ledgerCalls(i).times;
  const rate = (kind === 'qbo' ? idleQboReadsPerDay : idleXeroCallsPerDay) / dayMs;
  const activity = Math.max(0, times.length - rate * elapsedMs);
  const perSimDay = Array.from({ length: days }, () => 0);
  for (const t of times) perSimDay[Math.min(days - 1, Math.floor((t - started) / (daySeconds * 1000)))]! += 1;
  const busiest = Math.max(0, ...perSimDay.map((n) => n - rate * daySeconds * 1000));
  return { kind, month: rate * dayMs * 30 + activity, busiestDay: rate * dayMs + busiest };
};
const active = kinds
  .map((_, i) => i)
  .filter((i) => !plan.idle.has(i))
  .map(activeCost);
const qboMonths = active.filter((a) => a.kind === 'qbo').map((a) => a.month);
const xeroDays = active.filter((a) => a.kind === 'xero').map((a) => a.busiestDay);
const busiestXeroMinute = Math.max(
  0,
  ...kinds.map((k, i) => (k === 'xero' ? busiestWindowOf(fleet.calls[i]!.xero.times) : 0)),
);
function busiestWindowOf(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 60_000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
const qboAppMonth = mean(qboMonths) * qboMonths.length + idleQboReadsPerDay * 30 * idleOf('qbo').length;
const s = (xs: number[]) => xs.sort((a, b) => a - b);
const verdict = (ok: boolean) => (ok ? 'meets' : 'MISSES');
const p95q = percentile(s(latencies.qbo), 95);
const p95x = percentile(s(latencies.xero), 95);

console.info(
  [
    `run:      ${(elapsedMs / 1000).toFixed(0)} s real; ${errors.length} errors${errors.length ? ` (first: ${errors[0]})` : ''}; 429s ${JSON.stringify(fleet.throttled())}`,
    `payments: ${paidAt.size} made, ${missing} not in ConnectWise within the wait`,
    `  QBO  payment-to-CW s: p50 ${percentile(s(latencies.qbo), 50).toFixed(1)}, p95 ${p95q.toFixed(1)}, max ${Math.max(...latencies.qbo).toFixed(1)} (n ${latencies.qbo.length}; target p95 <= 60: ${verdict(p95q <= 60)})`,
    `  Xero payment-to-CW s: p50 ${percentile(s(latencies.xero), 50).toFixed(1)}, p95 ${p95x.toFixed(1)}, max ${Math.max(...latencies.xero).toFixed(1)} (n ${latencies.xero.length}; target p95 <= 300: ${verdict(p95x <= 300)})`,
    `idle connection a day: QBO reads ${idleQboReadsPerDay.toFixed(0)} (target <= 100: ${verdict(idleQboReadsPerDay <= 100)}), Xero calls ${idleXeroCallsPerDay.toFixed(0)} (target <= 150: ${verdict(idleXeroCallsPerDay <= 150)}; Starter cap ${tiers.xeroStarterPerDay}), CW calls ${idleCwPerDay.toFixed(0)}`,
    `start-up check (once per process start, not in the day's figures): QBO reads ${startUp.qbo.toFixed(1)}, Xero calls ${startUp.xero.toFixed(1)} per connection; idle measured over ${(elapsedMs / 60_000).toFixed(1)} min`,
    `active QBO connection a month: reads p50 ${percentile(s(qboMonths), 50).toFixed(0)}, max ${Math.max(...qboMonths).toFixed(0)}; all ${tenantCount} tenants' QBO reads a month ${qboAppMonth.toFixed(0)} of the app's ${tiers.qboReadsPerAppMonth} (${((qboAppMonth / tiers.qboReadsPerAppMonth) * 100).toFixed(1)}%); ` +
      `at this rate the free tier holds ${(tiers.qboReadsPerAppMonth / Math.max(1, qboAppMonth / Math.max(1, qboMonths.length + idleOf('qbo').length))).toFixed(0)} QBO connections`,
    `active Xero connection, busiest day: calls p50 ${percentile(s(xeroDays), 50).toFixed(0)}, max ${Math.max(...xeroDays).toFixed(0)} (Starter ${tiers.xeroStarterPerDay}/day: ${verdict(Math.max(...xeroDays) <= tiers.xeroStarterPerDay)}); busiest real minute ${busiestXeroMinute} (cap ${tiers.xeroPerMinute})`,
  ].join('\n'),
);

await pod.stop();
await fleet.close();
await database.close();
process.exit(0);
