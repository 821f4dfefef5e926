/**
 * Status read: GET /api/v1/records/invoice/:cwId at fixed rates against 100,000 records over 200
 * tenants. Uses the embedded database, or a fresh database on the server in DATABASE_URL.
 *
 *   npx tsx bench/status-read.ts [--rates 100,250,500,750] [--seconds 10] [--tenants 200] [--per-tenant 500]
 *   DATABASE_URL=postgres://... npx tsx bench/status-read.ts
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { startLedgerpod } from '../server/app/server.js';
import { SessionTokens } from '../server/auth/session-token.js';
import { createLogger } from '../server/shared/log.js';
import { testConfig } from '../test/support/test-config.js';
import { createTestDatabase } from '../test/support/test-database.js';
import { runFixedRate } from './support/fixed-rate.js';
import { flag, header, sleep } from './support/machine.js';
import { seedRecords } from './support/seed-records.js';

const rates = flag('rates', '100,250,500,750').split(',').map(Number);
const seconds = Number(flag('seconds', '10'));
const tenants = Number(flag('tenants', '200'));
const perTenant = Number(flag('per-tenant', '500'));
const budgetP99 = 20;

const database = await createTestDatabase();
const seedStart = performance.now();
const seeded = await seedRecords(database.db, tenants, perTenant);
const seedMs = performance.now() - seedStart;

// ROLE=web: the HTTP side only, as a web process behind a load balancer runs.
const config = testConfig({ ROLE: 'web', LOG_LEVEL: 'warn' });
const pod = await startLedgerpod(config, { logger: createLogger('warn'), database });
const tokens = new SessionTokens(config.sessionKey);

// 4,000 (token, record) pairs spread over every tenant; ids drawn across each tenant's range.
const pairs = 4000;
const paths: string[] = [];
const headers: Record<string, string>[] = [];
const tokenOf = new Map<string, string>();
for (const tenantId of seeded.tenantIds) {
  const { token } = await tokens.issue({ tenantId, memberId: 'bench', memberName: 'Bench', role: 'viewer' });
  tokenOf.set(tenantId, `Bearer ${token}`);
}
const rand = (n: number) => randomBytes(4).readUInt32BE() % n;
for (let i = 0; i < pairs; i++) {
  const tenantId = seeded.tenantIds[i % seeded.tenantIds.length]!;
  paths.push(`/api/v1/records/invoice/${seeded.firstCwId + rand(seeded.recordsPerTenant)}`);
  headers.push({ authorization: tokenOf.get(tenantId)! });
}

const touch = () => sql`update records set refreshed_at = now()`.execute(database.db);
const jobsQueued = async () =>
  Number(
    (
      await sql<{
        n: string;
      }>`select count(*)::text as n from pgboss.job where name = 'record-refresh'`.execute(database.db)
    ).rows[0]?.n ?? 0,
  );

// CPU time actually spent, unlike event-loop busy time, which also counts the time the thread waits
// for a core on a loaded machine. Linux /proc, in clock ticks (10 ms): the server's thread (the main
// thread's task id is the process id) and the PostgreSQL backends serving the benchmark's database,
// when the server runs on this machine. undefined where /proc does not tell.
const ticksMs = 10;
const cpuMsOf = (path: string) => {
  try {
    const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * ticksMs;
  } catch {
    return undefined;
  }
};
const serverThreadCpuMs = () => cpuMsOf(`/proc/self/task/${process.pid}/stat`);
const postgresCpuMs = async () => {
  const backends = await sql<{
    pid: number;
  }>`select pid from pg_stat_activity where datname = current_database()`.execute(database.db);
  const byPid = new Map<number, number>();
  for (const { pid } of backends.rows) {
    const ms = cpuMsOf(`/proc/${pid}/stat`);
    if (ms === undefined) return undefined;
    byPid.set(pid, ms);
  }
  return byPid;
};
// Per backend, so a connection closed or opened during the step does not skew the sum (a backend
// that exits during the step loses its last few ticks).
const postgresDelta = (before: Map<number, number> | undefined, after: Map<number, number> | undefined) => {
  if (!before || !after) return undefined;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
};
const perRequest = (before: number | undefined, after: number | undefined, n: number) =>
  before === undefined || after === undefined ? 'n/a' : ((after - before) / n).toFixed(2);

// Warm-up: JIT, pool connections, plan cache.
await runFixedRate({ url: pod.url!, rate: 100, durationMs: 3000, paths, headers });

const results = [];
for (const rate of rates) {
  await touch();
  await sleep(1000);
  const cpu0 = serverThreadCpuMs();
  const pg0 = process.env.DATABASE_URL ? await postgresCpuMs() : undefined;
  const elu = performance.eventLoopUtilization();
  const result = await runFixedRate({ url: pod.url!, rate, durationMs: seconds * 1000, paths, headers });
  const used = performance.eventLoopUtilization(elu);
  const cpu1 = serverThreadCpuMs();
  const pg1 = process.env.DATABASE_URL ? await postgresCpuMs() : undefined;
  // Event-loop busy time of the server's thread per answered request: how much of one core a read costs.
  results.push({
    ...result,
    elu: used.utilization,
    busyMsPerRequest: used.active / result.sent,
    cpuMsPerRequest: perRequest(cpu0, cpu1, result.sent),
    pgCpuMsPerRequest: perRequest(0, postgresDelta(pg0, pg1), result.sent),
  });
}
const refreshJobs = await jobsQueued();

const held = results.filter((r) => r.p99 <= budgetP99 && r.ok === r.sent).map((r) => r.rate);
const lines = [
  header('Status read (bench/status-read.ts)', {
    database: process.env.DATABASE_URL
      ? 'PostgreSQL server (DATABASE_URL), fresh database'
      : 'embedded PGlite (in-process, in-memory)',
    data: `${seeded.tenantIds.length} tenants x ${perTenant} invoices = ${seeded.tenantIds.length * perTenant} records, 2 events per non-unposted record, a payment per paid record; seeded in ${(seedMs / 1000).toFixed(1)} s`,
    route:
      'GET /api/v1/records/invoice/:cwId, viewer token per tenant, random record; refreshed_at = now() before each step',
    load: `fixed-rate open loop, ${seconds} s per step, pre-encoded keep-alive GETs over node:net (<=128 sockets) in a worker thread; latency from scheduled send`,
  }),
  '',
  '| rate (req/s) | sent | 200s | errors | achieved/s | p50 ms | p90 ms | p99 ms | max ms | server loop busy | busy ms/req | server CPU ms/req | PG CPU ms/req | load gen CPU ms/req |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.rate} | ${r.sent} | ${r.ok} | ${r.errors + (r.sent - r.ok - r.errors)} | ${r.achieved.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p90.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(1)} | ${(r.elu * 100).toFixed(0)}% | ${r.busyMsPerRequest.toFixed(2)} | ${r.cpuMsPerRequest} | ${r.pgCpuMsPerRequest} | ${(r.generatorCpuMs / r.sent).toFixed(2)} |`,
  ),
  '',
  `highest rate held with p99 <= ${budgetP99} ms: ${held.length ? `${Math.max(...held)} req/s` : 'none of the rates tried'}`,
  `background refresh jobs queued during the run: ${refreshJobs} (0 means the read path alone was measured)`,
];
console.log(`\n${lines.join('\n')}\n`);

await pod.stop();
await database.close();
process.exit(0);
