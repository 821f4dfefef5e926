/**
 * Close-to-books latency: an invoice is closed in the simulated ConnectWise with "sync on close"
 * on; ConnectWise calls Ledgerpod back; the time until the document exists in the ledger (and until
 * the record shows `synced`). Realistic latency: CW 120 ms, QBO 250 ms.
 *
 *   npx tsx bench/close-to-books.ts [--invoices 50] [--gap-ms 1000] [--latency on|off]
 */
import { invoices } from '../test/support/sim-world.js';
import { startBenchWorld } from './support/bench-world.js';
import { flag, header, percentile, sleep } from './support/machine.js';

const count = Number(flag('invoices', '50'));
const gapMs = Number(flag('gap-ms', '1000'));
const withLatency = flag('latency', 'on') === 'on';

const w = await startBenchWorld('qbo', { syncOnClose: true });
await w.pod.services.connectWise.for(w.tenant).registerCallback({
  description: 'Ledgerpod bench',
  url: `${w.pod.url}/webhooks/connectwise/${w.tenant.id}`,
  objectId: 0,
  type: 'invoice',
  level: 'owner',
});
const built = invoices(count, 70_000, 'CLS-', { closed: false });
await w.sims.seedInvoices(built);
if (withLatency) await w.sims.latency({ cw: 120, qbo: 250 });

const closedAt = new Map<string, number>();
const inLedgerAt = new Map<string, number>();
const syncedAt = new Map<string, number>();
let watching = true;
const watcher = (async () => {
  while (watching) {
    const now = performance.now();
    for (const doc of await w.sims.qboDocuments('Invoice')) {
      const number = String(doc.DocNumber);
      if (!inLedgerAt.has(number)) inLedgerAt.set(number, now);
    }
    const rows = await w.database.db
      .selectFrom('records')
      .select(['number', 'state'])
      .where('tenant_id', '=', w.tenant.id)
      .where('state', '=', 'synced')
      .execute();
    for (const r of rows) if (!syncedAt.has(r.number)) syncedAt.set(r.number, now);
    await sleep(50);
  }
})();

for (const b of built) {
  const number = String(b.invoice.invoiceNumber);
  closedAt.set(number, performance.now());
  const res = await fetch(`${w.sims.url.cw}/__sim/invoices/${b.invoice.id}/close`, { method: 'POST' });
  if (!res.ok) throw new Error(`close answered ${res.status}`);
  await sleep(gapMs);
}
const deadline = Date.now() + 5 * 60_000;
while ((inLedgerAt.size < count || syncedAt.size < count) && Date.now() < deadline) await sleep(200);
watching = false;
await watcher;

const lat = (at: Map<string, number>) =>
  [...closedAt]
    .map(([number, t]) => (at.get(number) ?? Number.NaN) - t)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
const ledger = lat(inLedgerAt);
const synced = lat(syncedAt);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `\n${[
    header('Close-to-books latency (bench/close-to-books.ts)', {
      database: process.env.DATABASE_URL ? 'PostgreSQL server (DATABASE_URL)' : 'embedded PGlite',
      setup: `${count} invoices closed one every ${gapMs} ms, sync on close on, QBO; latency ${withLatency ? 'CW 120 ms, QBO 250 ms' : 'none'}; one process (role all); watched every 50 ms`,
    }),
    '',
    `close -> document in QBO:   n=${ledger.length} p50 ${s(percentile(ledger, 50))} p95 ${s(percentile(ledger, 95))} max ${s(ledger.at(-1) ?? Number.NaN)} (target p50 <= 5 s)`,
    `close -> record synced:     n=${synced.length} p50 ${s(percentile(synced, 50))} p95 ${s(percentile(synced, 95))} max ${s(synced.at(-1) ?? Number.NaN)}`,
  ].join('\n')}\n`,
);
await w.close();
process.exit(0);
