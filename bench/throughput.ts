/**
 * Throughput under the real limits: simulators with realistic latency (ConnectWise 120 ms,
 * QuickBooks Online 250 ms, Xero 300 ms) and their real per-tenant limits (QBO 500/min and 10 at
 * once, Xero 60/min and 5 at once). Pushes N invoices to QBO and M to Xero (one tenant each, one
 * process, role all), then onboards K invoices; compares wall time with the minimum the limits allow.
 *
 *   npx tsx bench/throughput.ts [--qbo 200] [--xero 60] [--onboard 1000] [--only qbo,xero,onboard] [--workers 1]
 *     [--cw-per-minute 600]   (CW_CALLS_PER_MINUTE: CW publishes no limit, so its budget is ours to set)
 */
import { providerLimits } from '../server/outbound/call-limiter.js';
import { invoices } from '../test/support/sim-world.js';
import { perRecord, startBenchWorld } from './support/bench-world.js';
import { flag, header } from './support/machine.js';

const n = { qbo: Number(flag('qbo', '200')), xero: Number(flag('xero', '60')) };
const onboard = Number(flag('onboard', '1000'));
const workers = Number(flag('workers', '1'));
const cwPerMinute = Number(flag('cw-per-minute', String(providerLimits.connectwise.perMinute)));
const env = { CW_CALLS_PER_MINUTE: String(cwPerMinute) };
const only = new Set(flag('only', 'qbo,xero,onboard').split(','));
const latency = { cw: 120, qbo: 250, xero: 300 };
/** Published per-tenant limits (what the minimum is measured against) and the product's own budget. */
const published = { qbo: 500, xero: 60 };
const budget = { qbo: 450, xero: 54 };

const out: string[] = [
  header('Throughput under the real limits (bench/throughput.ts)', {
    database: process.env.DATABASE_URL ? 'PostgreSQL server (DATABASE_URL)' : 'embedded PGlite',
    latency: `CW ${latency.cw} ms, QBO ${latency.qbo} ms, Xero ${latency.xero} ms (/__sim/latency)`,
    limits:
      'simulators: QBO 500/min + 10 concurrent per realm; Xero 60/min + 5 concurrent + 5000/day per org',
  }),
  '',
];

for (const kind of ['qbo', 'xero'] as const) {
  if (!only.has(kind) || n[kind] === 0) continue;
  const w = await startBenchWorld(kind, {}, { extraWorkers: workers - 1, env });
  const ids = Array.from({ length: n[kind] }, (_, i) => 40_000 + i);
  await w.sims.seedInvoices(invoices(n[kind], 40_000));
  await w.sims.latency(latency);
  await w.sims.resetCounts();
  const started = performance.now();
  await w.push(ids);
  const counts = await w.waitFor(ids, ['synced'], 3 * 60 * 60_000);
  const seconds = (performance.now() - started) / 1000;
  const ledger = await w.sims.traffic(kind);
  const cw = await w.sims.traffic('cw');
  const perRec = ledger.total / n[kind];
  const minimum = (ledger.total / published[kind]) * 60;
  const minimumBudget = (ledger.total / budget[kind]) * 60;
  const projected2000 = ((perRec * 2000) / published[kind]) * 60 * (seconds / minimum);
  out.push(
    `#### ${n[kind]} invoices to ${kind === 'qbo' ? 'QuickBooks Online' : 'Xero'}: ${JSON.stringify(counts)}`,
    `wall time: ${seconds.toFixed(1)} s (${((n[kind] / seconds) * 60).toFixed(1)} records/min)`,
    `${kind} calls: ${ledger.total} (${perRec.toFixed(2)}/record; max ${ledger.maxInFlight} at once; 429s ${w.sims.throttled[kind]})`,
    `  ${perRecord(ledger.byRoute, n[kind])}`,
    `CW calls: ${cw.total} (${(cw.total / n[kind]).toFixed(2)}/record, max ${cw.maxInFlight} at once)`,
    `minimum the published limit allows: ${ledger.total} calls / ${published[kind]} per min = ${minimum.toFixed(1)} s -> ratio ${(seconds / minimum).toFixed(2)}x (target <= 1.15x)`,
    `minimum at the product's own budget (${budget[kind]}/min, providerLimits): ${minimumBudget.toFixed(1)} s -> ratio ${(seconds / minimumBudget).toFixed(2)}x`,
    // CW calls are paced too (providerLimits.connectwise): with few ledger calls per record, CW binds.
    `minimum at the product's CW budget (${cwPerMinute}/min, CW_CALLS_PER_MINUTE): ${((cw.total / cwPerMinute) * 60).toFixed(1)} s -> ratio ${(seconds / ((cw.total / cwPerMinute) * 60)).toFixed(2)}x`,
    `projection for 2,000 invoices at this ratio: ${(projected2000 / 60).toFixed(1)} min`,
    '',
  );
  await w.close();
}

if (only.has('onboard') && onboard > 0) {
  const w = await startBenchWorld('qbo', {}, { env });
  await w.sims.seedInvoices(invoices(onboard, 60_000, 'OLD-', { date: '2023-06-01T00:00:00Z' }));
  await w.sims.latency(latency);
  await w.sims.resetCounts();
  const started = performance.now();
  const status = await w.onboard({
    batchPrefix: 'OB-',
    cutoffDate: '2023-12-31',
    recordTypes: ['invoice', 'credit_memo'],
  });
  const seconds = (performance.now() - started) / 1000;
  const cw = await w.sims.traffic('cw');
  out.push(
    `#### Onboarding ${onboard} invoices: done ${status.done}, failed ${status.failed} of ${status.total}`,
    `wall time: ${seconds.toFixed(1)} s (${((onboard / seconds) * 60).toFixed(0)} records/min; ${((seconds / onboard) * 1000).toFixed(0)} ms/record)`,
    `CW calls: ${cw.total} (${(cw.total / onboard).toFixed(3)}/record, max ${cw.maxInFlight} at once)`,
    `  ${perRecord(cw.byRoute, onboard)}`,
    `minimum at the product's CW budget (${cwPerMinute}/min, CW_CALLS_PER_MINUTE): ${((cw.total / cwPerMinute) * 60).toFixed(1)} s -> ratio ${(seconds / ((cw.total / cwPerMinute) * 60)).toFixed(2)}x`,
    `projection for 10,000 records at this pace: ${(((seconds / onboard) * 10_000) / 60).toFixed(1)} min`,
    '',
  );
  await w.close();
}
console.log(`\n${out.join('\n')}`);
process.exit(0);
