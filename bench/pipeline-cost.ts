/**
 * External calls per record, counted by the simulators (/__sim/traffic): invoice pushes to QBO and
 * to Xero, and onboarding (ConnectWise calls only: onboarding never touches the ledger).
 *
 *   npx tsx bench/pipeline-cost.ts [--pushes 50] [--onboard 1000]
 */

import { api } from '../test/support/cw-tenant.js';
import { invoices } from '../test/support/sim-world.js';
import { perRecord, startBenchWorld } from './support/bench-world.js';
import { flag, header, sleep } from './support/machine.js';

const pushes = Number(flag('pushes', '50'));
const onboard = Number(flag('onboard', '1000'));
const out: string[] = [
  header('Pipeline cost (bench/pipeline-cost.ts)', {
    database: process.env.DATABASE_URL ? 'PostgreSQL server (DATABASE_URL)' : 'embedded PGlite',
    work: `${pushes} invoice pushes to QBO, ${pushes} to Xero (one tenant each, one CW company, fresh customer), onboarding of ${onboard} invoices`,
  }),
  '',
];

for (const kind of ['qbo', 'xero'] as const) {
  const w = await startBenchWorld(kind);
  const ids = Array.from({ length: pushes }, (_, i) => 20_000 + i);
  await w.sims.seedInvoices(invoices(pushes, 20_000));
  await w.sims.resetCounts();
  const started = performance.now();
  await w.push(ids);
  const counts = await w.waitFor(ids, ['synced'], 15 * 60_000);
  const seconds = (performance.now() - started) / 1000;
  const cw = await w.sims.traffic('cw');
  const ledger = await w.sims.traffic(kind);
  out.push(
    `#### Invoice push to ${kind === 'qbo' ? 'QuickBooks Online' : 'Xero'}: ${pushes} records, ${JSON.stringify(counts)}, ${seconds.toFixed(1)} s`,
    `ConnectWise: ${cw.total} calls = ${(cw.total / pushes).toFixed(2)}/record`,
    `  ${perRecord(cw.byRoute, pushes)}`,
    `${kind}: ${ledger.total} calls = ${(ledger.total / pushes).toFixed(2)}/record (429s: ${w.sims.throttled[kind]})`,
    `  ${perRecord(ledger.byRoute, pushes)}`,
    `total external calls/record: ${((cw.total + ledger.total) / pushes).toFixed(2)}`,
    '',
  );
  await w.close();
}

{
  const w = await startBenchWorld('qbo');
  await w.sims.seedInvoices(invoices(onboard, 50_000, 'OLD-', { date: '2023-06-01T00:00:00Z' }));
  await w.sims.resetCounts();
  const admin = await w.token('admin');
  const started = performance.now();
  const res = await api(w.pod.url, admin, 'POST', '/api/v1/onboarding', {
    batchPrefix: 'OB-',
    cutoffDate: '2023-12-31',
    recordTypes: ['invoice', 'credit_memo'],
  });
  if (res.status !== 202) throw new Error(`onboarding answered ${res.status} ${JSON.stringify(res.body)}`);
  let status: { state: string; done: number; failed: number; total: number } | undefined;
  for (;;) {
    status = (await api(w.pod.url, admin, 'GET', `/api/v1/onboarding/${res.body.id}`)).body;
    if (status?.state === 'done') break;
    await sleep(500);
  }
  const seconds = (performance.now() - started) / 1000;
  const cw = await w.sims.traffic('cw');
  const qbo = await w.sims.traffic('qbo');
  out.push(
    `#### Onboarding: ${onboard} invoices, done ${status?.done} failed ${status?.failed} of ${status?.total}, ${seconds.toFixed(1)} s`,
    `ConnectWise: ${cw.total} calls = ${(cw.total / onboard).toFixed(3)}/record (target <= 1.1)`,
    `  ${perRecord(cw.byRoute, onboard)}`,
    `ledger calls: ${qbo.total}`,
    '',
  );
  await w.close();
}
console.log(`\n${out.join('\n')}`);
process.exit(0);
