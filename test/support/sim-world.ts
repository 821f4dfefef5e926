import type { Server } from 'node:http';
import { SessionTokens } from '../../server/auth/session-token.js';
import { createSecretBox } from '../../server/crypto/secret-box.js';
import type { Db } from '../../server/db/database.js';
import type { LedgerKind } from '../../server/ledgers/ledger.js';
import type { BuiltInvoice } from '../../sim/connectwise/index.js';
import type { RunningSim } from '../../sim/kit/listen.js';
import { startQuickBooksSim } from '../../sim/quickbooks/index.js';
import { startXeroSim } from '../../sim/xero/index.js';
import { realmId, xeroTenant } from '../ledgers/support/ledger-worlds.js';
import { type CwSim, post, startSeededConnectWise } from './cw-tenant.js';
import {
  type InstalledTenant,
  installSimTenant,
  ledgerSimEnv,
  qboClient,
  seedCwInvoices,
} from './ledger-sim-wiring.js';
import { invoice } from './pipeline-world.js';

export type SimName = 'cw' | 'qbo' | 'xero';

export interface TrafficSnapshot {
  total: number;
  maxInFlight: number;
  byRoute: Record<string, number>;
}

/**
 * ConnectWise, QuickBooks Online and Xero simulators in this process with their real per-tenant
 * limits (QBO 500/min and 10 at once, Xero 60/min and 5 at once), for benchmarks and scale tests.
 * Every 429 any of them sends is counted.
 */
export interface SimWorld {
  cw: CwSim;
  qbo: RunningSim;
  xero: RunningSim;
  url: Record<SimName, string>;
  /** 429 answers sent per simulator since start (or the last resetCounts). */
  throttled: Record<SimName, number>;
  /** Settings pointing the product at these simulators. */
  env(): Record<string, string>;
  latency(ms: Partial<Record<SimName, number>>): Promise<void>;
  traffic(name: SimName): Promise<TrafficSnapshot>;
  resetCounts(): Promise<void>;
  seedInvoices(built: BuiltInvoice[]): Promise<void>;
  qboDocuments(entity: 'Invoice' | 'CreditMemo'): Promise<Record<string, unknown>[]>;
  xeroInvoices(): Record<string, unknown>[];
  cwState(): Promise<{ invoices: any[]; batches: any[]; payments: any[] }>;
  close(): Promise<void>;
}

const count429 = (server: Server, bump: () => void) => {
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/__sim')) return;
    res.on('finish', () => {
      if (res.statusCode === 429) bump();
    });
  });
};

const getJson = async (url: string) => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.json() as Promise<any>;
};

export async function startSimWorld(): Promise<SimWorld> {
  const cw = await startSeededConnectWise();
  const qbo = await startQuickBooksSim({
    authorizeRealmId: realmId,
    clients: { [qboClient.id]: qboClient.secret },
  });
  await post(qbo.url, '/__sim/realms', { realmId, defaults: true });
  await post(qbo.url, '/__sim/seed', {
    realms: { [realmId]: { Customer: [{ Id: '100', DisplayName: 'Acme Corp', AcctNum: 'ACME01' }] } },
  });
  const xero = await startXeroSim();
  xero.sim.seed({ defaults: true, tenants: { [xeroTenant]: { name: 'Contoso Managed IT' } } });
  const throttled: Record<SimName, number> = { cw: 0, qbo: 0, xero: 0 };
  count429(cw.server, () => throttled.cw++);
  count429(qbo.server, () => throttled.qbo++);
  count429(xero.server, () => throttled.xero++);
  const url: Record<SimName, string> = { cw: cw.url, qbo: qbo.url, xero: xero.url };
  return {
    cw,
    qbo,
    xero,
    url,
    throttled,
    env: () => ledgerSimEnv(qbo.url, xero.url),
    async latency(ms) {
      for (const [name, value] of Object.entries(ms) as [SimName, number][]) {
        await post(url[name], '/__sim/latency', { ms: value });
      }
    },
    traffic: (name) => getJson(`${url[name]}/__sim/traffic`),
    async resetCounts() {
      // /__sim/reset would also empty the books; only the counters are reset here.
      for (const name of ['cw', 'qbo', 'xero'] as const) {
        const t = name === 'cw' ? cw.sim.traffic : name === 'qbo' ? qbo.sim.traffic : xero.sim.traffic;
        t.reset();
        throttled[name] = 0;
      }
    },
    seedInvoices: (built) => seedCwInvoices(cw.url, built),
    async qboDocuments(entity) {
      const state = await getJson(`${qbo.url}/__sim/state`);
      return state.realms[realmId][entity] ?? [];
    },
    xeroInvoices: () => xero.sim.tenants.get(xeroTenant)?.Invoices ?? [],
    cwState: () => getJson(`${cw.url}/__sim/state`),
    async close() {
      await Promise.all([cw.close(), qbo.close(), xero.close()]);
    },
  };
}

/** `count` closed invoices with GL entries, ids from `firstId`, numbers `{prefix}{id}`. */
export const invoices = (
  count: number,
  firstId: number,
  prefix = 'INV-',
  extra: Parameters<typeof invoice>[2] = {},
) => Array.from({ length: count }, (_, i) => invoice(firstId + i, `${prefix}${firstId + i}`, extra));

/**
 * The tenant the simulated ConnectWise company stands for, with a connection to one ledger
 * simulator and its mappings, written straight into the database (tokens sealed with `secretKeys`).
 */
export async function installTenant(
  db: Db,
  secretKeys: Buffer[],
  world: SimWorld,
  kind: LedgerKind,
  settings: { batchPrefix?: string; syncOnClose?: boolean } = {},
): Promise<InstalledTenant> {
  return installSimTenant(db, createSecretBox(secretKeys), {
    cwUrl: world.cw.url,
    kind,
    ledgerUrl: kind === 'qbo' ? world.qbo.url : world.xero.url,
    externalId: kind === 'qbo' ? realmId : xeroTenant,
    settings,
  });
}

/** A session token signed with the product's SESSION_KEY, as POST /api/v1/session would issue. */
export async function mintToken(
  sessionKey: Buffer,
  tenantId: string,
  role: 'viewer' | 'accountant' | 'admin' = 'accountant',
): Promise<string> {
  const { token } = await new SessionTokens(sessionKey).issue({
    tenantId,
    memberId: 'afinch',
    memberName: 'Amy Finch',
    role,
  });
  return token;
}
