import type { SecretBox } from '../../server/crypto/secret-box.js';
import type { Db } from '../../server/db/database.js';
import type { LedgerConnection, Tenant } from '../../server/db/schema.js';
import { ConnectionStore } from '../../server/ledgers/connections/connection-store.js';
import type { LedgerKind } from '../../server/ledgers/ledger.js';
import type { MappingKind } from '../../server/records/mappings.js';
import { type TenantSettings, TenantStore } from '../../server/tenants/tenant-store.js';
import type { BuiltInvoice } from '../../sim/connectwise/index.js';
import { defaultSimClient } from '../../sim/xero/index.js';
import { post, simTenantInput } from './cw-tenant.js';

/** Ledger keys for the CW GL accounts and tax codes the fixtures use, per ledger. */
export const demoMappings: Record<LedgerKind, [MappingKind, string, string][]> = {
  qbo: [
    ['gl_account', '4000', '1'],
    ['item', '4000', '30'],
    ['tax_code', 'State', '21'],
    ['tax_code', 'Exempt', '22'],
  ],
  xero: [
    ['gl_account', '4000', '200'],
    ['tax_code', 'State', 'OUTPUT'],
    ['tax_code', 'Exempt', 'NONE'],
  ],
};

/** The Intuit app the QuickBooks simulator knows. */
export const qboClient = { id: 'ledgerpod-qbo-app', secret: 'ledgerpod-qbo-secret' };

/** The product's settings that point both providers at the simulators, as the demo launcher does. */
export const ledgerSimEnv = (qboUrl: string, xeroUrl: string): Record<string, string> => ({
  QBO_CLIENT_ID: qboClient.id,
  QBO_CLIENT_SECRET: qboClient.secret,
  QBO_ENVIRONMENT: 'sandbox',
  QBO_API_URL: `${qboUrl}/v3/company/`,
  QBO_OAUTH_URL: qboUrl,
  XERO_CLIENT_ID: defaultSimClient.clientId,
  XERO_CLIENT_SECRET: defaultSimClient.clientSecret,
  XERO_API_URL: `${xeroUrl}/api.xro/2.0`,
  XERO_IDENTITY_URL: xeroUrl,
});

/** Tokens a ledger simulator grants straight away, as if the admin had finished its OAuth flow. */
export async function simGrant(simUrl: string, kind: LedgerKind, realmId?: string) {
  if (kind === 'qbo') {
    const t = (await post(simUrl, '/__sim/oauth/tokens', { realmId, clientId: qboClient.id })) as {
      access_token: string;
      refresh_token: string;
      expires_in: number;
    };
    return {
      accessToken: t.access_token,
      refreshToken: t.refresh_token,
      accessExpiresAt: new Date(Date.now() + t.expires_in * 1000),
    };
  }
  const t = (await post(simUrl, '/__sim/oauth/tokens', { clientId: defaultSimClient.clientId })) as {
    access_token: string;
    refresh_token: string;
  };
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    accessExpiresAt: new Date(Date.now() + 30 * 60_000),
  };
}

/** Mappings of a connection, written straight into the database. */
export async function insertMappings(
  db: Db,
  tenantId: string,
  connectionId: string,
  rows: [MappingKind, string, string][],
): Promise<void> {
  await db
    .insertInto('mappings')
    .values(
      rows.map(([mappingKind, cwKey, ledgerKey]) => ({
        tenant_id: tenantId,
        connection_id: connectionId,
        kind: mappingKind,
        cw_key: cwKey,
        ledger_key: ledgerKey,
      })),
    )
    .execute();
}

/** The demo's mappings for a connection. */
export const insertDemoMappings = (db: Db, tenantId: string, connectionId: string, kind: LedgerKind) =>
  insertMappings(db, tenantId, connectionId, demoMappings[kind]);

/** Invoices (with their GL transactions, where they have any) into a CW simulator, 500 a request. */
export async function seedCwInvoices(cwUrl: string, built: BuiltInvoice[]): Promise<void> {
  for (let i = 0; i < built.length; i += 500) {
    const chunk = built.slice(i, i + 500);
    await post(cwUrl, '/__sim/seed', {
      invoices: chunk.map((b) => b.invoice),
      glTransactions: chunk.map((b) => b.glTransaction).filter((g) => g.detail.length > 0),
    });
  }
}

/** What installing a simulated tenant leaves in the database. */
export interface InstalledTenant {
  tenant: Tenant;
  connection: LedgerConnection;
}

/** Which tenant to install, against which simulators. */
export interface SimTenantSpec {
  /** The tenant's ConnectWise simulator. */
  cwUrl: string;
  name?: string;
  kind: LedgerKind;
  /** The ledger simulator's URL (QBO or Xero, after `kind`). */
  ledgerUrl: string;
  /** The QBO realm or Xero organisation id. */
  externalId: string;
  settings?: Partial<TenantSettings>;
}

/**
 * The one way the worlds that write straight into the database (sim-world, tenant-fleet) install a
 * tenant: the tenant its ConnectWise simulator stands for, a connection to one ledger simulator
 * with tokens it granted, and the demo's mappings.
 */
export async function installSimTenant(
  db: Db,
  box: SecretBox,
  spec: SimTenantSpec,
): Promise<InstalledTenant> {
  const tenant = await new TenantStore(db, box).create({
    ...simTenantInput(spec.cwUrl, spec.name),
    settings: { batchPrefix: 'LP-', ...spec.settings },
  });
  const connection = await new ConnectionStore(db, box).save({
    tenantId: tenant.id,
    kind: spec.kind,
    externalId: spec.externalId,
    name: spec.kind === 'qbo' ? 'QuickBooks Online' : 'Xero',
    tokens: await simGrant(spec.ledgerUrl, spec.kind, spec.externalId),
  });
  await insertDemoMappings(db, tenant.id, connection.id, spec.kind);
  return { tenant, connection };
}
