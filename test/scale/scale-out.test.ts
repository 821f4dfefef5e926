import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.js';
import { providerLimits } from '../../server/ledgers/call-limiter.js';
import { api } from '../support/cw-tenant.js';
import { installTenant, invoices, mintToken, type SimWorld, startSimWorld } from '../support/sim-world.js';
import { type SpawnedLedgerpod, spawnLedgerpod } from '../support/spawn-ledgerpod.js';
import { createTestDatabase } from '../support/test-database.js';

/**
 * Two ROLE=web and three ROLE=worker processes of the real product on one PostgreSQL, the
 * simulators in this process with their real per-tenant limits. Records are pushed through both web
 * processes; one worker is killed with SIGKILL mid-run. Every record must end `synced` exactly once.
 *
 * SCALE_OUT_RECORDS (default 200) sets the size: ConnectWise calls are paced at
 * providerLimits.connectwise.perMinute (600) per tenant and a push makes ~6 of them, so 200 records
 * take ~2 minutes whatever the number of workers; 1,000 take ~10.
 * SCALE_OUT_REAL_EXPIRY=1 waits for pg-boss to expire the killed worker's jobs on its own
 * (record-push expireInSeconds 300 + up to 120 s maintenance) instead of fast-forwarding them.
 */
const serverUrl = process.env.DATABASE_URL;
const count = Number(process.env.SCALE_OUT_RECORDS ?? 300);
const realExpiry = process.env.SCALE_OUT_REAL_EXPIRY === '1';
const firstId = 30_000;
/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
const cpuSeconds = (pid: number | undefined) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (!serverUrl) {
  console.info('scale-out test skipped: it needs a PostgreSQL server in DATABASE_URL (processes share it)');
}

describe.skipIf(!serverUrl)(
  'scale-out: 2 web + 3 worker processes on one PostgreSQL (needs DATABASE_URL)',
  () => {
    let database: DatabaseHandle;
    let sims: SimWorld;
    const secretKey = randomBytes(32);
    const sessionKey = randomBytes(32);
    const web: SpawnedLedgerpod[] = [];
    const workers: SpawnedLedgerpod[] = [];
    let webUrls: string[] = [];
    let tenantId: string;
    /** Every ConnectWise call's arrival time, to check the per-minute pace across processes. */
    const cwCalls: number[] = [];

    const envFor = (role: 'web' | 'worker') => ({
      DATABASE_URL: database.url,
      SECRET_KEY: secretKey.toString('hex'),
      SESSION_KEY: sessionKey.toString('hex'),
      PORT: '0',
      ROLE: role,
      DEMO: 'off',
      LOG_LEVEL: role === 'worker' ? 'info' : 'warn',
      CW_TIMEOUT_MS: '5000',
      LEDGER_TIMEOUT_MS: '5000',
      ...sims.env(),
    });
    const workerReady = async (p: SpawnedLedgerpod) => {
      const deadline = Date.now() + 90_000;
      while (!p.output().includes('"msg":"ledgerpod started"')) {
        if (p.child.exitCode !== null || Date.now() > deadline)
          throw new Error(`worker did not start:\n${p.output()}`);
        await sleep(200);
      }
    };

    beforeAll(async () => {
      database = await createTestDatabase();
      sims = await startSimWorld();
      sims.cw.server.on('request', (req) => {
        if (!req.url?.startsWith('/__sim')) cwCalls.push(Date.now());
      });
      ({
        tenant: { id: tenantId },
      } = await installTenant(database.db, [secretKey], sims, 'qbo'));
      await sims.seedInvoices(invoices(count, firstId));
      // The first process installs pg-boss's schema; the others then start together.
      web.push(spawnLedgerpod(envFor('web')));
      webUrls.push(await web[0]!.url);
      web.push(spawnLedgerpod(envFor('web')));
      for (let i = 0; i < 3; i++) workers.push(spawnLedgerpod(envFor('worker')));
      webUrls = [webUrls[0]!, await web[1]!.url];
      await Promise.all(workers.map(workerReady));
      await sims.resetCounts();
      cwCalls.length = 0;
    }, 180_000);

    afterAll(async () => {
      await Promise.all([...web, ...workers].map((p) => p.stop('SIGTERM')));
      await sims?.close();
      await database?.close();
    }, 60_000);

    const states = async () => {
      const rows = await sql<{ state: string; n: string }>`
      select state, count(*)::text as n from records where tenant_id = ${tenantId} group by state`.execute(
        database.db,
      );
      return Object.fromEntries(rows.rows.map((r) => [r.state, Number(r.n)])) as Record<string, number>;
    };
    const pushJobs = async () =>
      (
        await sql<{ id: string; state: string; started_on: Date | null }>`
        select id, state, started_on from pgboss.job where name = 'record-push' and state < 'completed'`.execute(
          database.db,
        )
      ).rows;

    it(
      `syncs ${count} records exactly once across processes, within the limits, with a worker killed`,
      async () => {
        const started = Date.now();
        const cpuAtStart = [...web, ...workers].map((p) => cpuSeconds(p.child.pid));
        const token = await mintToken(sessionKey, tenantId, 'accountant');
        const ids = Array.from({ length: count }, (_, i) => firstId + i);
        // Eight requests at a time, alternating between the two web processes.
        let next = 0;
        const answers: number[] = [];
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next < ids.length) {
              const i = next++;
              const res = await api(webUrls[i % 2]!, token, 'POST', `/api/v1/records/invoice/${ids[i]}/sync`);
              answers.push(res.status);
            }
          }),
        );
        expect(answers.filter((s) => s !== 202)).toEqual([]);

        // Kill one worker once a quarter of the records are through.
        for (;;) {
          const s = await states();
          if ((s.synced ?? 0) >= count / 4) break;
          await sleep(250);
        }
        const killedAt = new Date();
        const killedCpu = cpuSeconds(workers[0]!.child.pid) - cpuAtStart[2]!;
        workers[0]!.child.kill('SIGKILL');
        expect(await workers[0]!.exit).toBe(null);
        const killedAfterSynced = (await states()).synced ?? 0;

        let fastForwarded = 0;
        const deadline = Date.now() + (realExpiry ? 15 : 6) * 60_000;
        for (;;) {
          const s = await states();
          if ((s.synced ?? 0) + (s.error ?? 0) >= count) break;
          if (Date.now() > deadline) throw new Error(`not finished: ${JSON.stringify(s)}`);
          const jobs = await pushJobs();
          // Nothing left but jobs that were running in the killed worker: those only come back when
          // pg-boss expires them. Fast-forward their clock (unless told to wait) and expire them now.
          const orphans = jobs.filter((j) => j.state === 'active' && j.started_on && j.started_on < killedAt);
          if (!realExpiry && orphans.length > 0 && orphans.length === jobs.length) {
            await sql`update pgboss.job set started_on = started_on - expire_in
                    where id = any(${orphans.map((o) => o.id)}::uuid[])`.execute(database.db);
            const boss = new PgBoss({
              connectionString: database.url,
              schema: 'pgboss',
              supervise: false,
              schedule: false,
              migrate: false,
            });
            await boss.start();
            await (boss as unknown as { expire(): Promise<void> }).expire();
            await boss.stop({ graceful: false });
            fastForwarded += orphans.length;
          }
          await sleep(1000);
        }
        const seconds = (Date.now() - started) / 1000;
        const cpu = [...web, ...workers].map((p, i) => cpuSeconds(p.child.pid) - cpuAtStart[i]!);
        const webCpu = cpu[0]! + cpu[1]!;
        const workerCpu = killedCpu + cpu[3]! + cpu[4]!;

        // Every record synced, one ledger document per number, one CW batch per record.
        expect(await states()).toEqual({ synced: count });
        const documents = (await sims.qboDocuments('Invoice')).map((d) => String(d.DocNumber));
        expect(documents.length).toBe(count);
        expect(new Set(documents).size).toBe(count);
        const batches = (await sims.cwState()).batches.map(
          (b: { batchIdentifier: string }) => b.batchIdentifier,
        );
        expect(batches.length).toBe(count);
        expect(new Set(batches).size).toBe(count);
        const syncedEvents = await sql<{ n: string }>`
        select count(*)::text as n from record_events where tenant_id = ${tenantId} and to_state = 'synced'`.execute(
          database.db,
        );
        expect(Number(syncedEvents.rows[0]!.n)).toBe(count);

        // Limits held across the processes that called out: no 429 from any simulator, never more
        // QuickBooks calls at once than the per-tenant limit. The ConnectWise numbers are reported,
        // not asserted: the product does not pace ConnectWise calls (providerLimits.connectwise is
        // defined in server/ledgers/call-limiter.ts but no ConnectWise call goes through the limiter).
        expect(sims.throttled).toEqual({ cw: 0, qbo: 0, xero: 0 });
        const qbo = await sims.traffic('qbo');
        const cw = await sims.traffic('cw');
        expect(qbo.maxInFlight).toBeLessThanOrEqual(providerLimits.qbo.concurrent);
        let busiestMinute = 0;
        for (let i = 0, j = 0; i < cwCalls.length; i++) {
          while (cwCalls[i]! - cwCalls[j]! >= 60_000) j++;
          busiestMinute = Math.max(busiestMinute, i - j + 1);
        }

        console.info(
          `scale-out: ${count} records in ${seconds.toFixed(0)} s; worker SIGKILLed after ${killedAfterSynced} synced; ` +
            `${fastForwarded} orphaned job(s) ${realExpiry ? 'expired by pg-boss' : 'fast-forwarded past expireInSeconds'}; ` +
            `CW ${cw.total} calls (max ${cw.maxInFlight} at once, busiest minute ${busiestMinute}; product limits ${providerLimits.connectwise.concurrent} at once, ${providerLimits.connectwise.perMinute}/min), ` +
            `QBO ${qbo.total} calls (max ${qbo.maxInFlight} at once), 429s ${JSON.stringify(sims.throttled)}; ` +
            `CPU: web ${webCpu.toFixed(1)} s, workers ${workerCpu.toFixed(1)} s = ${((workerCpu * 1000) / count).toFixed(0)} ms/record`,
        );
      },
      20 * 60_000,
    );
  },
);
