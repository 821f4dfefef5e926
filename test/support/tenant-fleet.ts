import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createSecretBox } from '../../server/crypto/secret-box.js';
import type { Db } from '../../server/db/database.js';
import type { LedgerConnection, Tenant } from '../../server/db/schema.js';
import type { LedgerKind } from '../../server/ledgers/ledger.js';
import type { BuiltInvoice } from '../../sim/connectwise/index.js';
import type { RunningSim } from '../../sim/kit/listen.js';
import { type QuickBooksSim, startQuickBooksSim } from '../../sim/quickbooks/index.js';
import { startXeroSim, type XeroSim } from '../../sim/xero/index.js';
import { type CwSim, post, startSeededConnectWise } from './cw-tenant.js';
import { installSimTenant, ledgerSimEnv, qboClient, seedCwInvoices } from './ledger-sim-wiring.js';

/**
 * Many tenants at once, each with its own ConnectWise company (its own CW simulator) and its own
 * books: a QuickBooks Online realm or a Xero organisation, in one QBO and one Xero simulator with
 * their real per-company limits (QBO 500/min and 10 at once per realm, Xero 60/min and 5 at once
 * per organisation). Every call is timed per tenant as it arrives, so per-tenant rates and
 * concurrency can be checked across any number of product processes. Used by the scale-out test and
 * bench/soak.ts; test/support/sim-world.ts is the one-tenant world the other benchmarks use.
 */
export interface FleetTenant {
  index: number;
  kind: LedgerKind;
  /** QBO realm id or Xero tenant id: what the provider's limits are counted by. */
  externalId: string;
  cw: CwSim;
  tenant: Tenant;
  connection: LedgerConnection;
}

export type FleetSim = 'cw' | 'qbo' | 'xero';

/** Calls one tenant made to one simulator (not counting /__sim control calls). */
export interface CallLog {
  /** Arrival time (ms) of every call. */
  times: number[];
  /** Arrival time (ms) of every GET: QBO meters reads only (creates and updates are free, domain.md §8). */
  reads: number[];
  inFlight: number;
  maxInFlight: number;
  throttled: number;
}

export interface TenantFleet {
  qbo: RunningSim & { sim: QuickBooksSim };
  xero: RunningSim & { sim: XeroSim };
  tenants: FleetTenant[];
  /** Per tenant index, per simulator. */
  calls: Record<FleetSim, CallLog>[];
  /** 429s per simulator since start (or resetCounts). */
  throttled(): Record<FleetSim, number>;
  /** Settings pointing the product at these simulators. */
  env(): Record<string, string>;
  latency(ms: Partial<Record<FleetSim, number>>): Promise<void>;
  resetCounts(): void;
  seedInvoices(tenant: FleetTenant, built: BuiltInvoice[]): Promise<void>;
  /** Invoice numbers the tenant's books hold (QBO DocNumber, Xero InvoiceNumber). */
  ledgerInvoices(tenant: FleetTenant): Promise<{ id: string; number: string; total: string }[]>;
  /** The tenant's ConnectWise batches' identifiers and payments. */
  cwState(
    tenant: FleetTenant,
  ): Promise<{ batches: string[]; payments: { invoice: { id: number }; amount: number }[] }>;
  /** A customer payment made in the ledger, as a person would (QBO and Xero then send webhooks if registered). */
  recordPayment(tenant: FleetTenant, ledgerInvoiceId: string, amount: string): Promise<void>;
  /** Registers the product's webhook receivers with both ledger simulators. */
  registerWebhooks(podUrl: string, secrets: { qboVerifier: string; xeroKey: string }): Promise<void>;
  close(): Promise<void>;
}

export const fleetRealm = (i: number) => `91303500${String(1000 + i).padStart(8, '0')}`;
export const fleetXeroTenant = (i: number) => `b1c2d3e4-0000-4000-8000-${String(1000 + i).padStart(12, '0')}`;

const newLog = (): CallLog => ({ times: [], reads: [], inFlight: 0, maxInFlight: 0, throttled: 0 });

/** Times every non-control call per tenant (the tenant named by `tenantOf`). */
function meter(
  server: Server,
  tenantOf: (req: IncomingMessage) => number | undefined,
  logs: () => CallLog[],
) {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/__sim')) return;
    const i = tenantOf(req);
    const log = i === undefined ? undefined : logs()[i];
    if (!log) return;
    log.times.push(Date.now());
    if (req.method === 'GET') log.reads.push(Date.now());
    log.inFlight++;
    log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      log.inFlight--;
      if (res.statusCode === 429) log.throttled++;
    };
    res.on('finish', finish);
    res.on('close', finish);
  });
}

/** The most calls in any window of `windowMs` (sliding over the arrival times). */
export function busiestWindow(times: number[], windowMs = 60_000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

const getJson = async (url: string) => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.json() as Promise<any>;
};

/**
 * Starts the simulators and writes `kinds.length` tenants straight into the database (tokens
 * sealed with `secretKeys`), tenant i connected to a ledger of kind `kinds[i]`.
 */
export async function startTenantFleet(
  db: Db,
  secretKeys: Buffer[],
  kinds: LedgerKind[],
  settings: { batchPrefix?: string } = {},
): Promise<TenantFleet> {
  const qboIndexes = kinds.flatMap((k, i) => (k === 'qbo' ? [i] : []));
  const xeroIndexes = kinds.flatMap((k, i) => (k === 'xero' ? [i] : []));
  const qbo = await startQuickBooksSim({ clients: { [qboClient.id]: qboClient.secret } });
  for (const i of qboIndexes) {
    await post(qbo.url, '/__sim/realms', { realmId: fleetRealm(i), defaults: true });
  }
  await post(qbo.url, '/__sim/seed', {
    realms: Object.fromEntries(
      qboIndexes.map((i) => [
        fleetRealm(i),
        { Customer: [{ Id: '100', DisplayName: 'Acme Corp', AcctNum: 'ACME01' }] },
      ]),
    ),
  });
  const xero = await startXeroSim();
  xero.sim.seed({
    defaults: true,
    tenants: Object.fromEntries(
      xeroIndexes.map((i) => [fleetXeroTenant(i), { name: `Contoso Managed IT ${i}` }]),
    ),
  });
  const cws: CwSim[] = [];
  for (let i = 0; i < kinds.length; i++) cws.push(await startSeededConnectWise());

  const calls: Record<FleetSim, CallLog>[] = kinds.map(() => ({
    cw: newLog(),
    qbo: newLog(),
    xero: newLog(),
  }));
  const byRealm = new Map(qboIndexes.map((i) => [fleetRealm(i), i]));
  const byXero = new Map(xeroIndexes.map((i) => [fleetXeroTenant(i), i]));
  meter(
    qbo.server,
    (req) => byRealm.get(/^\/v3\/company\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? ''),
    () => calls.map((c) => c.qbo),
  );
  meter(
    xero.server,
    (req) => byXero.get(String(req.headers['xero-tenant-id'] ?? '')),
    () => calls.map((c) => c.xero),
  );
  cws.forEach((cw, i) => {
    meter(
      cw.server,
      () => i,
      () => calls.map((c) => c.cw),
    );
  });

  const box = createSecretBox(secretKeys);
  const tenants: FleetTenant[] = [];
  for (let i = 0; i < kinds.length; i++) {
    const kind = kinds[i]!;
    const cw = cws[i]!;
    const externalId = kind === 'qbo' ? fleetRealm(i) : fleetXeroTenant(i);
    const { tenant, connection } = await installSimTenant(db, box, {
      cwUrl: cw.url,
      name: `Ledgerpod MSP ${i}`,
      kind,
      ledgerUrl: kind === 'qbo' ? qbo.url : xero.url,
      externalId,
      settings,
    });
    tenants.push({ index: i, kind, externalId, cw, tenant, connection });
  }

  const url = (name: FleetSim, t?: FleetTenant) =>
    name === 'qbo' ? qbo.url : name === 'xero' ? xero.url : t!.cw.url;
  return {
    qbo,
    xero,
    tenants,
    calls,
    throttled: () => ({
      cw: calls.reduce((n, c) => n + c.cw.throttled, 0),
      qbo: calls.reduce((n, c) => n + c.qbo.throttled, 0),
      xero: calls.reduce((n, c) => n + c.xero.throttled, 0),
    }),
    env: () => ledgerSimEnv(qbo.url, xero.url),
    async latency(ms) {
      for (const [name, value] of Object.entries(ms) as [FleetSim, number][]) {
        const targets = name === 'cw' ? tenants.map((t) => t.cw.url) : [url(name)];
        for (const target of targets) await post(target, '/__sim/latency', { ms: value });
      }
    },
    resetCounts() {
      for (const c of calls)
        for (const log of Object.values(c)) Object.assign(log, newLog(), { inFlight: log.inFlight });
    },
    seedInvoices: (t, built) => seedCwInvoices(t.cw.url, built),
    async ledgerInvoices(t) {
      if (t.kind === 'qbo') {
        const state = await getJson(`${qbo.url}/__sim/state`);
        return ((state.realms[t.externalId]?.Invoice ?? []) as Record<string, unknown>[]).map((d) => ({
          id: String(d.Id),
          number: String(d.DocNumber),
          total: String(d.TotalAmt),
        }));
      }
      return ((xero.sim.tenants.get(t.externalId)?.Invoices ?? []) as Record<string, unknown>[]).map((d) => ({
        id: String(d.InvoiceID),
        number: String(d.InvoiceNumber),
        total: String(d.Total),
      }));
    },
    async cwState(t) {
      const state = await getJson(`${t.cw.url}/__sim/state`);
      return {
        batches: (state.batches as { batchIdentifier: string }[]).map((b) => b.batchIdentifier),
        payments: (state.payments ?? []) as { invoice: { id: number }; amount: number }[],
      };
    },
    async recordPayment(t, ledgerInvoiceId, amount) {
      if (t.kind === 'qbo') {
        await post(qbo.url, `/__sim/realms/${t.externalId}/payments`, { invoiceId: ledgerInvoiceId, amount });
      } else {
        await post(xero.url, `/__sim/tenants/${t.externalId}/payments`, {
          invoiceId: ledgerInvoiceId,
          amount,
        });
      }
    },
    async registerWebhooks(podUrl, secrets) {
      await post(qbo.url, '/__sim/webhooks', {
        url: `${podUrl}/webhooks/qbo`,
        verifierToken: secrets.qboVerifier,
      });
      await post(xero.url, '/__sim/webhooks', { url: `${podUrl}/webhooks/xero`, key: secrets.xeroKey });
    },
    async close() {
      await Promise.all([qbo.close(), xero.close(), ...cws.map((cw) => cw.close())]);
    },
  };
}
