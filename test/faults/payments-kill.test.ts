import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.js';
import { api, post } from '../support/cw-tenant.js';
import { noRealPostgres, realPostgresUrl } from '../support/real-postgres.js';
import { invoices, mintToken } from '../support/sim-world.js';
import { type SpawnedLedgerpod, spawnLedgerpod } from '../support/spawn-ledgerpod.js';
import { startTenantFleet, type TenantFleet } from '../support/tenant-fleet.js';
import { createTestDatabase } from '../support/test-database.js';

/**
 * Issue 18, finding 7 (payments): a worker process SIGKILLed while it writes a ledger payment to
 * ConnectWise. The product runs in its own processes (1 web, 2 workers) on one real PostgreSQL; the
 * expiry of the dead worker's sweep and the lapse of its claim on the payment row are the real ones
 * (no expiry pass run by the test). ConnectWise is made to take a few seconds over that payment and
 * still books it after the caller is gone, so the dead worker's write lands with nobody to record
 * it: the other worker must find it on the invoice instead of writing it a second time.
 */
const serverUrl = await realPostgresUrl();
if (!serverUrl) console.warn(`payments-kill.test.ts ${noRealPostgres}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const run = promisify(execFile);

/** The process owning the local TCP port a request came from (this machine's workers; Linux `ss`). */
async function pidOfPort(port: number): Promise<number | undefined> {
  const { stdout } = await run('ss', ['-tnpH', 'sport', '=', `:${port}`]);
  const match = /pid=(\d+)/.exec(stdout);
  return match ? Number(match[1]) : undefined;
}

describe.skipIf(!serverUrl)('a worker SIGKILLed mid payment write, across processes', () => {
  let database: DatabaseHandle;
  let fleet: TenantFleet;
  const secretKey = randomBytes(32);
  const sessionKey = randomBytes(32);
  const processes: SpawnedLedgerpod[] = [];
  let webUrl = '';
  const cwId = 47_000;

  const envFor = (role: 'web' | 'worker') => ({
    DATABASE_URL: database.url,
    SECRET_KEY: secretKey.toString('hex'),
    SESSION_KEY: sessionKey.toString('hex'),
    PORT: '0',
    ROLE: role,
    DEMO: 'off',
    LOG_LEVEL: 'info',
    WORKER_CONCURRENCY: '4',
    CW_TIMEOUT_MS: '10000',
    LEDGER_TIMEOUT_MS: '5000',
    ...fleet.env(),
  });

  beforeAll(async () => {
    process.env.DATABASE_URL = serverUrl;
    database = await createTestDatabase();
    fleet = await startTenantFleet(database.db, [secretKey], ['qbo']);
    await fleet.latency({ cw: 40, qbo: 60 });
    await fleet.seedInvoices(fleet.tenants[0]!, invoices(1, cwId, 'P-'));
    processes.push(spawnLedgerpod(envFor('web'), { keepOutput: 200_000 }));
    webUrl = await processes[0]!.url;
    processes.push(spawnLedgerpod(envFor('worker'), { keepOutput: 200_000 }));
    processes.push(spawnLedgerpod(envFor('worker'), { keepOutput: 200_000 }));
    await Promise.all(processes.map((p) => p.started()));
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    await fleet?.close();
    await database?.close();
  });

  const outputs = () => processes.map((p) => p.output().slice(-3000)).join('\n---\n');
  const until = async <T>(what: string, seconds: number, probe: () => Promise<T | undefined>) => {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`${what} not within ${seconds} s\n${outputs()}`);
      await sleep(250);
    }
  };

  it(
    'the other worker writes the payment in ConnectWise exactly once, within a minute of the kill',
    async () => {
      const t = fleet.tenants[0]!;
      const token = await mintToken(sessionKey, t.tenant.id, 'accountant');
      expect((await api(webUrl, token, 'POST', `/api/v1/records/invoice/${cwId}/sync`)).status).toBe(202);
      const record = await until('the invoice synced', 120, async () =>
        database.db
          .selectFrom('records')
          .select(['id', 'ledger_id', 'total_minor'])
          .where('cw_id', '=', String(cwId))
          .where('state', '=', 'synced')
          .executeTakeFirst(),
      );

      // ConnectWise answers this payment's create after 4 s, and books it then whether or not the
      // caller is still there (the sim's handler runs after the delay).
      await post(t.cw.url, '/__sim/faults', {
        method: 'POST',
        path: '*/finance/invoices/*/payments',
        kind: 'slow',
        delayMs: 4_000,
        times: 1,
      });
      const arrivals: { port: number; at: number }[] = [];
      t.cw.server.on('request', (req: IncomingMessage) => {
        if (req.method === 'POST' && /\/finance\/invoices\/\d+\/payments$/.test(req.url ?? ''))
          arrivals.push({ port: req.socket.remotePort!, at: Date.now() });
      });

      const paid = (Number(record.total_minor) / 100).toFixed(2);
      await fleet.recordPayment(t, record.ledger_id!, paid);
      expect((await api(webUrl, token, 'POST', '/api/v1/payments/sync', {})).status).toBe(202);

      // The worker writing it dies while ConnectWise holds its call.
      const arrival = await until('the payment write reaching ConnectWise', 120, async () => arrivals[0]);
      const pid = await pidOfPort(arrival.port);
      const writer = processes.findIndex((p, i) => i > 0 && p.child.pid === pid);
      expect(writer, `pid ${pid} is one of the workers`).toBeGreaterThan(0);
      processes[writer]!.child.kill('SIGKILL');
      const killedAt = Date.now();
      await processes[writer]!.exit;

      const cwPayments = async () =>
        (await fleet.cwState(t)).payments.filter((p) => p.invoice.id === cwId).map((p) => p.amount);
      // The dead worker's call still lands, with no one to hear CW's answer.
      const landedAfter = await until('the dead worker’s write landing in ConnectWise', 30, async () =>
        (await cwPayments()).length > 0 ? (Date.now() - killedAt) / 1000 : undefined,
      );
      const written = await until('the payment written', 120, async () => {
        const row = await database.db
          .selectFrom('payments')
          .select(['state', 'cw_payment_id'])
          .where('record_id', '=', record.id)
          .where('state', '=', 'written')
          .executeTakeFirst();
        return row && { ...row, seconds: (Date.now() - killedAt) / 1000 };
      });
      const sweeps = await sql<{ state: string; retry_count: number }>`
      select state, retry_count from pgboss.job where name = 'payments-sweep' order by created_on`.execute(
        database.db,
      );
      console.info(
        `payments kill: the dead worker's CW write landed ${landedAfter.toFixed(1)} s after the kill; ` +
          `the payment was recorded written by the other worker ${written.seconds.toFixed(1)} s after the kill; ` +
          `sweeps ${JSON.stringify(sweeps.rows)}`,
      );
      expect(written.seconds).toBeLessThan(60);
      // Exactly once in ConnectWise: the one the dead worker made, found and adopted.
      expect(await cwPayments()).toEqual([Number(paid)]);
      const rows = await database.db
        .selectFrom('payments')
        .select(['state'])
        .where('record_id', '=', record.id)
        .execute();
      expect(rows).toEqual([{ state: 'written' }]);
      // The same sweep then reads CW's balance: the invoice paid.
      await until('the invoice paid', 30, async () =>
        database.db
          .selectFrom('records')
          .select('state')
          .where('id', '=', record.id)
          .where('state', '=', 'paid')
          .executeTakeFirst(),
      );
      expect(processes.filter((_, i) => i !== writer).map((p) => p.child.exitCode)).toEqual([null, null]);
    },
    6 * 60_000,
  );
});
