import { createSecretBox } from '../../../server/crypto/secret-box.js';
import type { DatabaseHandle } from '../../../server/db/database.js';
import type { LedgerConnection } from '../../../server/db/schema.js';
import { ConnectionStore } from '../../../server/ledgers/connections/connection-store.js';
import type { LedgerKind, Party, SalesOrBillDocument } from '../../../server/ledgers/ledger.js';
import { LedgerRegistry } from '../../../server/ledgers/ledger-registry.js';
import { providersFrom } from '../../../server/ledgers/providers.js';
import { type CallLimits, createCallLimiter } from '../../../server/outbound/call-limiter.js';
import type { Config } from '../../../server/shared/config.js';
import { TenantStore } from '../../../server/tenants/tenant-store.js';
import { startQuickBooksSim } from '../../../sim/quickbooks/index.js';
import { startXeroSim } from '../../../sim/xero/index.js';
import { invoiceDoc as qboInvoice } from '../../quickbooks/harness.js';
import { ledgerSimEnv, qboClient, simGrant } from '../../support/ledger-sim-wiring.js';
import { testConfig } from '../../support/test-config.js';
import { invoiceDoc as xeroInvoice } from '../../xero/support/xero-fixture.js';

export { qboClient };
export const realmId = '9130350000000001';
export const xeroTenant = 'b1c2d3e4-0000-4000-8000-000000000001';

/** Generous limits so the suite is not paced by Xero's 60 calls a minute; the storm test lowers the sim's. */
export const testLimits: Record<LedgerKind, CallLimits> = {
  qbo: { perMinute: 6000, concurrent: 8, burst: 20 },
  xero: { perMinute: 6000, concurrent: 4, burst: 20 },
};

export interface SimHandle {
  kind: LedgerKind;
  url: string;
  externalId: string;
  label: string;
  close(): Promise<void>;
  control(method: string, path: string, body?: unknown): Promise<unknown>;
  /** Fresh tokens for our app, as if the admin had just connected. */
  grant(): Promise<{ accessToken: string; refreshToken: string; accessExpiresAt: Date }>;
  tokenRefreshes(): Promise<number>;
  expireAccessTokens(): Promise<void>;
  /** Path pattern of the create call for a document type, for fault rules. */
  createPath(type: 'invoice' | 'credit_memo'): { method: string; path: string };
  /** Documents of a type held by the ledger, by number. */
  documentNumbers(type: 'invoice' | 'credit_memo'): Promise<string[]>;
  partyIds(): Promise<string[]>;
  recordPayment(invoiceId: string, amount: string): Promise<void>;
  /** Lowers the simulator's per-organisation limits to provoke 429s. */
  squeeze(): void;
  invoice(number: string): SalesOrBillDocument;
  creditMemo(number: string): SalesOrBillDocument;
  /** A party the seeded books already hold (matched by account number). */
  knownParty: Party;
  newParty: Party;
  /** An id the ledger will refuse as a customer reference, and what it says about it. */
  badPartyId: string;
  badPartyMessage: RegExp;
  missingId: string;
}

const json = async (response: Response) => {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.url} -> ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
};

const controlOf = (base: string) => (method: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(json);

export async function startQboSim(): Promise<
  SimHandle & { sim: Awaited<ReturnType<typeof startQuickBooksSim>>['sim'] }
> {
  const running = await startQuickBooksSim({
    authorizeRealmId: realmId,
    clients: { [qboClient.id]: qboClient.secret },
  });
  const control = controlOf(running.url);
  await control('POST', '/__sim/realms', { realmId, defaults: true });
  await control('POST', '/__sim/seed', {
    realms: { [realmId]: { Customer: [{ Id: '100', DisplayName: 'Acme Corp', AcctNum: 'ACME01' }] } },
  });
  const realm = async () =>
    (
      (await control('GET', '/__sim/state')) as {
        realms: Record<string, Record<string, Record<string, unknown>[]>>;
      }
    ).realms[realmId]!;
  return {
    kind: 'qbo',
    label: 'QuickBooks Online',
    url: running.url,
    sim: running.sim,
    externalId: realmId,
    close: () => running.close(),
    control,
    grant: () => simGrant(running.url, 'qbo', realmId),
    tokenRefreshes: async () =>
      ((await control('GET', '/__sim/state')) as { tokenRefreshes: number }).tokenRefreshes,
    expireAccessTokens: async () => {
      await control('POST', '/__sim/oauth/expire-access-tokens');
    },
    createPath: (type) => ({
      method: 'POST',
      path: `/v3/company/*/${type === 'invoice' ? 'invoice' : 'creditmemo'}`,
    }),
    documentNumbers: async (type) =>
      ((await realm())[type === 'invoice' ? 'Invoice' : 'CreditMemo'] ?? []).map((d) => String(d.DocNumber)),
    partyIds: async () => ((await realm()).Customer ?? []).map((c) => String(c.Id)),
    recordPayment: async (invoiceId, amount) => {
      await control('POST', `/__sim/realms/${realmId}/payments`, { invoiceId, amount });
    },
    squeeze() {
      running.sim.throttle.limits = { requestsPerMinute: 500, concurrent: 2 };
    },
    invoice: (number) => qboInvoice({ number }),
    creditMemo: (number) => qboInvoice({ type: 'credit_memo', number, taxMinor: 0n, totalMinor: 8999n }),
    knownParty: { kind: 'customer', cwId: '7', accountNumber: 'ACME01', name: 'Acme Corp', email: undefined },
    newParty: {
      kind: 'customer',
      cwId: '8',
      accountNumber: 'NEW01',
      name: 'Northwind Traders',
      email: undefined,
    },
    badPartyId: '999',
    badPartyMessage: /CustomerRef/,
    missingId: '987654',
  };
}

export async function startXeroSimHandle(): Promise<
  SimHandle & { sim: Awaited<ReturnType<typeof startXeroSim>>['sim'] }
> {
  const running = await startXeroSim();
  const control = controlOf(running.url);
  running.sim.seed({
    defaults: true,
    tenants: {
      [xeroTenant]: {
        name: 'Contoso Managed IT',
        Contacts: [{ Name: 'Existing Customer', AccountNumber: 'CW-1' }],
      },
    },
  });
  const books = () => running.sim.tenants.get(xeroTenant)!;
  const base = xeroInvoice();
  return {
    kind: 'xero',
    label: 'Xero',
    url: running.url,
    sim: running.sim,
    externalId: xeroTenant,
    close: () => running.close(),
    control,
    grant: () => simGrant(running.url, 'xero'),
    tokenRefreshes: async () =>
      ((await control('GET', '/__sim/state')) as { tokenRefreshes: number }).tokenRefreshes,
    expireAccessTokens: async () => {
      await control('POST', '/__sim/oauth/expire-access-tokens');
    },
    createPath: (type) => ({
      method: 'PUT',
      path: `/api.xro/2.0/${type === 'invoice' ? 'Invoices' : 'CreditNotes'}`,
    }),
    documentNumbers: async (type) =>
      type === 'invoice'
        ? books().Invoices.map((d) => String(d.InvoiceNumber))
        : books().CreditNotes.map((d) => String(d.CreditNoteNumber)),
    partyIds: async () => books().Contacts.map((c) => String(c.ContactID)),
    recordPayment: async (invoiceId, amount) => {
      await control('POST', `/__sim/tenants/${xeroTenant}/payments`, { invoiceId, amount });
    },
    squeeze() {
      running.sim.limiter.limits = { ...running.sim.limiter.limits, concurrent: 2 };
    },
    invoice: (number) => xeroInvoice({ number }),
    creditMemo: (number) =>
      xeroInvoice({
        type: 'credit_memo',
        number,
        lines: [base.lines[0]!],
        taxMinor: 3000n,
        totalMinor: 33000n,
      }),
    knownParty: {
      kind: 'customer',
      cwId: '1',
      accountNumber: 'CW-1',
      name: 'Existing Customer',
      email: undefined,
    },
    newParty: {
      kind: 'customer',
      cwId: '250',
      accountNumber: 'CW-250',
      name: 'Northwind Traders',
      email: undefined,
    },
    badPartyId: '00000000-0000-4000-8000-00000000dead',
    badPartyMessage: /ContactID .* could not be found/,
    missingId: '00000000-0000-4000-8000-00000000beef',
  };
}

/** Settings that point both providers at the simulators, as the demo launcher does. */
export function simConfig(qboUrl: string, xeroUrl: string, extra: Record<string, string> = {}): Config {
  return testConfig({ ...ledgerSimEnv(qboUrl, xeroUrl), ...extra });
}

/** One "process": a connection store and a registry on its own pool. */
export function processOn(database: DatabaseHandle, config: Config) {
  const store = new ConnectionStore(database.db, createSecretBox(config.secretKeys));
  const registry = new LedgerRegistry({
    store,
    limiter: createCallLimiter(database.db),
    providers: providersFrom(config, testLimits),
    timeoutMs: 3_000,
  });
  return { store, registry };
}

/** A tenant with a stored connection to the simulator's organisation. */
export async function connectTenant(
  database: DatabaseHandle,
  config: Config,
  sim: SimHandle,
  name = 'Ledgerpod MSP',
): Promise<{ tenantId: string; connection: LedgerConnection }> {
  const tenants = new TenantStore(database.db, createSecretBox(config.secretKeys));
  const tenant = await tenants.create({
    name,
    site: `${name.toLowerCase().replace(/\W+/g, '-')}.cw.example.test`,
    companyId: 'msp',
    publicKey: 'pub',
    privateKey: 'priv',
    clientId: 'client',
  });
  const { store } = processOn(database, config);
  const connection = await store.save({
    tenantId: tenant.id,
    kind: sim.kind,
    externalId: sim.externalId,
    name: sim.label,
    tokens: await sim.grant(),
  });
  return { tenantId: tenant.id, connection };
}
