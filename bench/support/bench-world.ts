import { sql } from 'kysely';
import { type Ledgerpod, startLedgerpod } from '../../server/app/server.js';
import type { DatabaseHandle } from '../../server/db/database.js';
import type { LedgerConnection, RecordType, Tenant } from '../../server/db/schema.js';
import type { LedgerKind } from '../../server/ledgers/ledger.js';
import { createLogger } from '../../server/shared/log.js';
import { api, post } from '../../test/support/cw-tenant.js';
import { insertMappings } from '../../test/support/ledger-sim-wiring.js';
import { otherRecordMappings } from '../../test/support/pipeline-world.js';
import { installTenant, mintToken, type SimWorld, startSimWorld } from '../../test/support/sim-world.js';
import { testConfig } from '../../test/support/test-config.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import { sleep } from './machine.js';

export interface OnboardingStatus {
  state: string;
  done: number;
  failed: number;
  total: number;
}

export interface BenchWorld {
  sims: SimWorld;
  pod: Ledgerpod & { url: string };
  database: DatabaseHandle;
  tenant: Tenant;
  connection: LedgerConnection;
  token(role?: 'viewer' | 'accountant' | 'admin'): Promise<string>;
  /** Asks for pushes of records of one type (invoices unless said) through the API, 500 a request. */
  push(cwIds: number[], type?: RecordType): Promise<void>;
  /** Waits until every record of the type is in one of `states` (or `error`); answers counts per state. */
  waitFor(
    cwIds: number[],
    states: string[],
    timeoutMs: number,
    type?: RecordType,
  ): Promise<Record<string, number>>;
  /**
   * Starts an onboarding run as an admin and polls it until it is done. Each poll signs in afresh:
   * a 10,000-record run outlives a session token (15 min), and a refused poll is an error, not a wait.
   */
  onboard(body: {
    batchPrefix: string;
    cutoffDate: string;
    recordTypes: RecordType[];
  }): Promise<OnboardingStatus>;
  /**
   * Adds expenses and procurement records (purchases, adjustments) to the CW simulator, 500 a call,
   * and on first use the mappings of the GL accounts they post to (`otherRecordMappings`).
   */
  seedOther(records: { expenses?: object[]; procurement?: object[] }): Promise<void>;
  close(): Promise<void>;
}

/** Simulators, a fresh database and the whole product (role all) in this process, one tenant connected. */
export async function startBenchWorld(
  kind: LedgerKind,
  settings: { batchPrefix?: string; syncOnClose?: boolean } = {},
  options: { extraWorkers?: number; env?: Record<string, string> } = {},
): Promise<BenchWorld> {
  const sims = await startSimWorld();
  const database = await createTestDatabase();
  const config = testConfig({ ...sims.env(), LOG_LEVEL: 'warn', ...options.env });
  const started = await startLedgerpod(config, { logger: createLogger('warn'), database });
  const pod = { ...started, url: started.url! };
  // More worker "processes" (each its own job queue, pool and handlers) on the same database.
  const extra: Ledgerpod[] = [];
  for (let i = 0; i < (options.extraWorkers ?? 0); i++) {
    extra.push(
      await startLedgerpod(
        { ...config, role: 'worker' },
        { logger: createLogger('warn'), database: { ...database, close: async () => {} } },
      ),
    );
  }
  const { tenant, connection } = await installTenant(database.db, config.secretKeys, sims, kind, settings);
  const token = (role: 'viewer' | 'accountant' | 'admin' = 'accountant') =>
    mintToken(config.sessionKey, tenant.id, role);
  let otherMapped = false;
  return {
    sims,
    pod,
    database,
    tenant,
    connection,
    token,
    async push(cwIds, type = 'invoice') {
      const t = await token();
      for (let i = 0; i < cwIds.length; i += 500) {
        const records = cwIds.slice(i, i + 500).map((cwId) => ({ type, cwId }));
        const res = await api(pod.url, t, 'POST', '/api/v1/records/sync', { records });
        if (res.status !== 202) throw new Error(`sync answered ${res.status}: ${JSON.stringify(res.body)}`);
      }
    },
    async onboard(body) {
      const res = await api(pod.url, await token('admin'), 'POST', '/api/v1/onboarding', body);
      if (res.status !== 202)
        throw new Error(`onboarding answered ${res.status} ${JSON.stringify(res.body)}`);
      for (;;) {
        const poll = await api(pod.url, await token('admin'), 'GET', `/api/v1/onboarding/${res.body.id}`);
        if (poll.status !== 200)
          throw new Error(`onboarding status answered ${poll.status} ${JSON.stringify(poll.body)}`);
        if (poll.body.state === 'done') return poll.body as OnboardingStatus;
        await sleep(1000);
      }
    },
    async waitFor(cwIds, states, timeoutMs, type = 'invoice') {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const rows = await sql<{ state: string; n: string }>`
          select state, count(*)::text as n from records
          where tenant_id = ${tenant.id} and type = ${type} and cw_id = any(${cwIds.map(String)}::bigint[])
          group by state`.execute(database.db);
        const counts = Object.fromEntries(rows.rows.map((r) => [r.state, Number(r.n)]));
        const finished = [...states, 'error'].reduce((sum, s) => sum + (counts[s] ?? 0), 0);
        if (finished >= cwIds.length) return counts;
        if (Date.now() > deadline) throw new Error(`timed out waiting: ${JSON.stringify(counts)}`);
        await sleep(250);
      }
    },
    async seedOther(records) {
      if (!otherMapped) {
        await insertMappings(database.db, tenant.id, connection.id, otherRecordMappings[kind]);
        otherMapped = true;
      }
      const { expenses = [], procurement = [] } = records;
      for (let i = 0; i < Math.max(expenses.length, procurement.length); i += 500) {
        await post(sims.url.cw, '/__sim/seed', {
          expenses: expenses.slice(i, i + 500),
          procurement: procurement.slice(i, i + 500),
        });
      }
    },
    async close() {
      for (const worker of extra) await worker.stop();
      await pod.stop();
      await database.close();
      await sims.close();
    },
  };
}

/** Calls per record from a simulator's traffic, by route. */
export function perRecord(byRoute: Record<string, number>, records: number): string {
  return Object.entries(byRoute)
    .map(([route, n]) => `${route}: ${n} (${(n / records).toFixed(3)}/record)`)
    .join('\n  ');
}
