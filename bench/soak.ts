/**
 * Soak: N minutes of mixed load against the product as it is deployed past one machine (one
 * ROLE=web and one ROLE=worker process on a PostgreSQL server), sampling both processes every 30 s:
 * RSS, heap used, event-loop delay, active handles and requests (process.getActiveResourcesInfo()),
 * the pg pools' sizes, and from PostgreSQL the connections and pg-boss queue depth. Prints the time
 * series and a verdict: flat when no last-third mean is more than 10% above the middle third's
 * (the first third is warm-up; a fall is no leak, and is shown as such).
 *
 * The load (modest: the machine is shared): pod status reads at a fixed rate (most on each tenant's
 * latest invoices, as people look at recent ones; a stale status queues a background refresh, as in
 * production), new invoices closed in ConnectWise and pushed to QuickBooks Online and to Xero, and a
 * customer payment made in the ledger for every third synced invoice, which the ledger simulators
 * announce through the product's webhooks and the product writes back to ConnectWise. Simulators
 * with realistic latency (CW 120 ms, QBO 250 ms, Xero 300 ms) and their real per-tenant limits.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/soak.ts \
 *     [--minutes 30] [--sample-seconds 30] [--reads 5] [--qbo-per-minute 20] [--xero-per-minute 8] [--tenants 4]
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { LedgerKind } from '../server/ledgers/ledger.js';
import { api } from '../test/support/cw-tenant.js';
import { invoices, mintToken } from '../test/support/sim-world.js';
import { startTenantFleet } from '../test/support/tenant-fleet.js';
import { createTestDatabase } from '../test/support/test-database.js';
import { flag, header, percentile, sleep } from './support/machine.js';
import { type ProbeSample, spawnProbedLedgerpod } from './support/soak-process.js';

if (!process.env.DATABASE_URL) {
  console.error(
    'bench/soak.ts needs a PostgreSQL server in DATABASE_URL: the web and worker processes share it',
  );
  process.exit(2);
}

const minutes = Number(flag('minutes', '30'));
const sampleSeconds = Number(flag('sample-seconds', '30'));
const readsPerSecond = Number(flag('reads', '5'));
const perMinute = { qbo: Number(flag('qbo-per-minute', '20')), xero: Number(flag('xero-per-minute', '8')) };
const tenantCount = Number(flag('tenants', '4'));
const latency = { cw: 120, qbo: 250, xero: 300 };
/** Reads go to one of the tenant's latest `hot` records this often, else to any of its records. */
const hotShare = 0.9;
const hot = 25;
const payEvery = 3;
const webhookSecrets = { qboVerifier: 'soak-qbo-verifier', xeroKey: 'soak-xero-key' };

const database = await createTestDatabase();
const secretKey = randomBytes(32);
const sessionKey = randomBytes(32);
const kinds: LedgerKind[] = Array.from({ length: tenantCount }, (_, i) => (i % 2 === 0 ? 'qbo' : 'xero'));
const fleet = await startTenantFleet(database.db, [secretKey], kinds);
await fleet.latency(latency);
const probeFile = join(tmpdir(), `ledgerpod-soak-${process.pid}.jsonl`);
const env = (role: 'web' | 'worker') => ({
  DATABASE_URL: database.url,
  SECRET_KEY: secretKey.toString('hex'),
  SESSION_KEY: sessionKey.toString('hex'),
  PORT: '0',
  ROLE: role,
  DEMO: 'off',
  LOG_LEVEL: 'warn',
  QBO_WEBHOOK_VERIFIER: webhookSecrets.qboVerifier,
  XERO_WEBHOOK_KEY: webhookSecrets.xeroKey,
  ...fleet.env(),
});
const web = spawnProbedLedgerpod(env('web'), probeFile);
const webUrl = await web.url;
const worker = spawnProbedLedgerpod(env('worker'), probeFile);
await worker.url;
await fleet.registerWebhooks(webUrl, webhookSecrets);

const out: string[] = [
  header('Soak (bench/soak.ts)', {
    database: 'PostgreSQL server (DATABASE_URL), fresh database',
    product:
      '1 ROLE=web + 1 ROLE=worker process (node --import tsx server/main.ts), soak probe loaded in each',
    tenants: `${tenantCount} (${kinds.join(', ')}), each its own CW simulator and QBO realm / Xero organisation`,
    latency: `CW ${latency.cw} ms, QBO ${latency.qbo} ms, Xero ${latency.xero} ms; real per-tenant limits`,
    load:
      `${readsPerSecond} status reads/s (${hotShare * 100}% on each tenant's latest ${hot} records), ` +
      `${perMinute.qbo} QBO + ${perMinute.xero} Xero pushes/min, a payment in the ledger for every ` +
      `${payEvery}rd synced invoice (webhooks on), for ${minutes} min, sampled every ${sampleSeconds} s`,
  }),
  '',
];
console.info(out.join('\n'));

// --- load -------------------------------------------------------------------------------------
const tokens = new Map<string, { token: string; at: number }>();
const token = async (tenantId: string, role: 'viewer' | 'accountant') => {
  const key = `${tenantId}:${role}`;
  const held = tokens.get(key);
  // Session tokens live 15 minutes; a fresh one every 10.
  if (held && Date.now() - held.at < 10 * 60_000) return held.token;
  const fresh = { token: await mintToken(sessionKey, tenantId, role), at: Date.now() };
  tokens.set(key, fresh);
  return fresh.token;
};
const pushed: number[][] = fleet.tenants.map(() => []);
const nextId = fleet.tenants.map(() => 50_000);
const stats = {
  reads: [] as number[],
  readErrors: 0,
  pushes: 0,
  pushErrors: 0,
  paymentsMade: 0,
  loadErrors: 0,
};
let running = true;
const inFlight = new Set<Promise<unknown>>();
const track = (p: Promise<unknown>) => {
  const tracked = p
    .catch((error) => {
      stats.loadErrors++;
      if (stats.loadErrors <= 5) console.error('load error:', error);
    })
    .finally(() => inFlight.delete(tracked));
  inFlight.add(tracked);
};

const read = async () => {
  const t = fleet.tenants[Math.floor(Math.random() * fleet.tenants.length)]!;
  const ids = pushed[t.index]!;
  if (ids.length === 0) return;
  const pool = Math.random() < hotShare ? ids.slice(-hot) : ids;
  const cwId = pool[Math.floor(Math.random() * pool.length)]!;
  const started = performance.now();
  const res = await api(webUrl, await token(t.tenant.id, 'viewer'), 'GET', `/api/v1/records/invoice/${cwId}`);
  stats.reads.push(performance.now() - started);
  if (res.status !== 200) stats.readErrors++;
};

const push = async (kind: LedgerKind) => {
  const candidates = fleet.tenants.filter((t) => t.kind === kind);
  const t = candidates[stats.pushes % candidates.length]!;
  const cwId = nextId[t.index]!++;
  await fleet.seedInvoices(t, invoices(1, cwId, `S${t.index}-`));
  const res = await api(
    webUrl,
    await token(t.tenant.id, 'accountant'),
    'POST',
    `/api/v1/records/invoice/${cwId}/sync`,
  );
  stats.pushes++;
  if (res.status !== 202) stats.pushErrors++;
  pushed[t.index]!.push(cwId);
};

/** A payment in the ledger for every third invoice that reached `synced` (full, or half of it). */
const paid = new Set<string>();
const pay = async () => {
  const rows = (
    await sql<{ id: string; tenant_id: string; cw_id: string; ledger_id: string; total_minor: string }>`
      select id, tenant_id, cw_id::text, ledger_id, total_minor::text from records
      where state = 'synced' and cw_id % ${payEvery} = 0 order by cw_id`.execute(database.db)
  ).rows.filter((r) => !paid.has(r.id));
  for (const r of rows) {
    const t = fleet.tenants.find((f) => f.tenant.id === r.tenant_id)!;
    const minor = Number(r.total_minor) / (Number(r.cw_id) % 2 === 0 ? 1 : 2);
    paid.add(r.id);
    await fleet.recordPayment(t, r.ledger_id, (Math.round(minor) / 100).toFixed(2));
    stats.paymentsMade++;
  }
};

const every = (ms: number, task: () => Promise<unknown>) => {
  const timer = setInterval(() => {
    if (running) track(task());
  }, ms);
  return () => clearInterval(timer);
};
const stoppers = [
  every(1000 / readsPerSecond, read),
  every(60_000 / perMinute.qbo, () => push('qbo')),
  every(60_000 / perMinute.xero, () => push('xero')),
  every(10_000, pay),
];

// --- samples ----------------------------------------------------------------------------------
interface Row {
  t: number;
  web?: ProbeSample;
  worker?: ProbeSample;
  dbConnections: number;
  queue: Record<string, number>;
  states: Record<string, number>;
  paymentsWritten: number;
  reads: number;
  readP99: number;
  throttled: number;
}
const rows: Row[] = [];
const began = Date.now();
const mb = (n: number | undefined) => (n === undefined ? '—' : (n / 2 ** 20).toFixed(1));
const poolText = (s: ProbeSample | undefined) =>
  s ? s.pools.map((p) => `${p.total}/${p.max}${p.waiting ? ` w${p.waiting}` : ''}`).join('+') : '—';
const queueText = (q: Record<string, number>) =>
  Object.entries(q)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '0';
const rowText = (r: Row) =>
  `| ${(r.t / 60).toFixed(1)} | ${mb(r.web?.rss)} | ${mb(r.web?.heapUsed)} | ${r.web?.activeResources ?? '—'} | ` +
  `${r.web?.loopDelayMs.p99 ?? '—'} | ${poolText(r.web)} | ${mb(r.worker?.rss)} | ${mb(r.worker?.heapUsed)} | ` +
  `${r.worker?.activeResources ?? '—'} | ${r.worker?.loopDelayMs.p99 ?? '—'} | ${poolText(r.worker)} | ` +
  `${r.dbConnections} | ${queueText(r.queue)} | ${(r.states.synced ?? 0) + (r.states.partly_paid ?? 0) + (r.states.paid ?? 0)}/${Object.values(r.states).reduce((a, b) => a + b, 0)} | ` +
  `${r.paymentsWritten} | ${r.reads} | ${r.readP99.toFixed(1)} | ${r.throttled} |`;
const tableHead =
  '| min | web RSS MB | web heap MB | web handles | web loop p99 ms | web pools | worker RSS MB | worker heap MB | ' +
  'worker handles | worker loop p99 ms | worker pools | DB conns | queue (created/retry/active) | settled/records | ' +
  'payments written | reads | read p99 ms | 429s |\n' +
  '|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---:|---:|';
console.info(tableHead);

const sampleOnce = async (): Promise<Row> => {
  const [webSample, workerSample] = await Promise.all([web.sample(), worker.sample()]);
  const conns = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity where datname = current_database()`.execute(database.db);
  const queue = await sql<{ name: string; n: number }>`
    select name, count(*)::int as n from pgboss.job where state in ('created', 'retry', 'active')
    group by name order by name`.execute(database.db);
  const states = await sql<{ state: string; n: number }>`
    select state, count(*)::int as n from records group by state`.execute(database.db);
  const written = await sql<{ n: number }>`
    select count(*)::int as n from payments where state = 'written'`.execute(database.db);
  const reads = stats.reads.splice(0).sort((a, b) => a - b);
  const throttled = fleet.throttled();
  return {
    t: (Date.now() - began) / 1000,
    web: webSample,
    worker: workerSample,
    dbConnections: conns.rows[0]!.n,
    queue: Object.fromEntries(queue.rows.map((r) => [r.name, r.n])),
    states: Object.fromEntries(states.rows.map((r) => [r.state, r.n])),
    paymentsWritten: written.rows[0]!.n,
    reads: reads.length,
    readP99: percentile(reads, 99),
    throttled: throttled.cw + throttled.qbo + throttled.xero,
  };
};

const end = began + minutes * 60_000;
let nextSample = began + sampleSeconds * 1000;
while (Date.now() < end) {
  await sleep(Math.max(0, Math.min(nextSample, end) - Date.now()));
  nextSample += sampleSeconds * 1000;
  const row = await sampleOnce();
  rows.push(row);
  console.info(rowText(row));
  if (web.child.exitCode !== null || worker.child.exitCode !== null) {
    console.error(`a product process exited:\n${web.output().slice(-4000)}\n${worker.output().slice(-4000)}`);
    break;
  }
}
running = false;
for (const stop of stoppers) stop();
await Promise.allSettled([...inFlight]);

// --- verdict ----------------------------------------------------------------------------------
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const third = Math.floor(rows.length / 3);
const middle = rows.slice(third, 2 * third);
const last = rows.slice(2 * third);
const verdicts: string[] = [];
let flat = true;
const judge = (name: string, pick: (r: Row) => number | undefined, unit: string, scale = 1, slack = 0) => {
  const m = mean(middle.map(pick).filter((x): x is number => x !== undefined)) / scale;
  const l = mean(last.map(pick).filter((x): x is number => x !== undefined)) / scale;
  const change = m === 0 ? 0 : (l - m) / m;
  // Grew by at most 10% (or, for small counts, by at most `slack`); a fall is no leak.
  const ok = change <= 0.1 || l - m <= slack;
  if (!ok) flat = false;
  verdicts.push(
    `${name}: middle third ${m.toFixed(1)} ${unit}, last third ${l.toFixed(1)} ${unit} (${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%) ${ok ? (change < -0.1 ? 'falling' : 'flat') : 'GROWING'}`,
  );
};
if (rows.length >= 6) {
  judge('web RSS', (r) => r.web?.rss, 'MB', 2 ** 20);
  judge('web heap used', (r) => r.web?.heapUsed, 'MB', 2 ** 20);
  judge('web active handles+requests', (r) => r.web?.activeResources, '', 1, 3);
  judge('worker RSS', (r) => r.worker?.rss, 'MB', 2 ** 20);
  judge('worker heap used', (r) => r.worker?.heapUsed, 'MB', 2 ** 20);
  judge('worker active handles+requests', (r) => r.worker?.activeResources, '', 1, 3);
  judge('DB connections', (r) => r.dbConnections, '', 1, 3);
  judge('pg-boss queue depth', (r) => Object.values(r.queue).reduce((a, b) => a + b, 0), 'jobs', 1, 10);
} else {
  flat = false;
  verdicts.push(`too few samples (${rows.length}) for a verdict: run at least 3 minutes`);
}
const first = rows[0];
const mid = rows[Math.floor(rows.length / 2)];
const final = rows.at(-1);
const finalStates = final?.states ?? {};
const resourceTypes = (s: ProbeSample | undefined) =>
  s
    ? Object.entries(s.resources)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')
    : '—';

out.push(
  tableHead,
  ...rows.map(rowText),
  '',
  '```text',
  `duration: ${((Date.now() - began) / 60_000).toFixed(1)} min, ${rows.length} samples`,
  `load done: ${stats.pushes} pushes (${stats.pushErrors} not 202), ${stats.paymentsMade} payments made in the ledgers, ` +
    `${final?.paymentsWritten ?? 0} written back to CW; reads: ${rows.reduce((a, r) => a + r.reads, 0)} (${stats.readErrors} not 200); load errors ${stats.loadErrors}`,
  `records at the end: ${JSON.stringify(finalStates)}; 429s ${JSON.stringify(fleet.throttled())}`,
  `RSS web:    start ${mb(first?.web?.rss)} MB, middle ${mb(mid?.web?.rss)} MB, end ${mb(final?.web?.rss)} MB`,
  `RSS worker: start ${mb(first?.worker?.rss)} MB, middle ${mb(mid?.worker?.rss)} MB, end ${mb(final?.worker?.rss)} MB`,
  `active resources at the end: web {${resourceTypes(final?.web)}}; worker {${resourceTypes(final?.worker)}}`,
  ...verdicts,
  `verdict: ${flat ? 'FLAT' : 'NOT FLAT'} (flat: no last-third mean more than 10% above the middle third's; the first third is warm-up)`,
  '```',
);
console.info(`\n${out.join('\n')}`);

await Promise.all([web.stop(), worker.stop()]);
await fleet.close();
await database.close();
rmSync(probeFile, { force: true });
process.exit(0);
