import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { startConnectWiseSim } from '../../sim/connectwise/index.js';
import { startCwShell } from '../../sim/cw-shell/cw-shell.js';
import { invoiceEditorFromCwSim } from '../../sim/cw-shell/invoice-editor.js';
import { defaultPodSlots, type PodSlots } from '../../sim/cw-shell/pod-slots.js';
import type { ShellInvoice, ShellRecords } from '../../sim/cw-shell/shell-records.js';
import type { RunningSim } from '../../sim/kit/listen.js';
import { startQuickBooksSim } from '../../sim/quickbooks/index.js';
import { defaultSimClient, startXeroSim } from '../../sim/xero/index.js';
import type { Ledgerpod } from '../app/server.js';
import type { Db } from '../db/database.js';
import type { Tenant } from '../db/schema.js';
import { sweepAll } from '../payments/payment-jobs.js';
import { requestPush } from '../pipeline/requests.js';
import type { Logger } from '../shared/log.js';
import {
  type DemoInvoice,
  demoApiMember,
  demoClientId,
  demoCompanies,
  demoCompanyId,
  demoConnectWiseSeed,
  demoInvoices,
  demoMembers,
  demoQuickBooksMappings,
} from './demo-data.js';

export const demoRealmId = '9130350000000777';
export const demoXeroTenantId = 'd3m0d3m0-0000-4000-8000-000000000777';
const qboClient = { id: 'ledgerpod-demo', secret: 'ledgerpod-demo-secret' };

export interface DemoSims {
  cw: RunningSim;
  qbo: RunningSim;
  xero: RunningSim;
  invoices: DemoInvoice[];
  /** Made afresh at every start: the simulators sign their webhooks with these. */
  webhookSecrets: { qbo: string; xero: string };
  close(): Promise<void>;
}

const post = async (base: string, path: string, body?: unknown) => {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<unknown>;
};

/** The outside world of the demo: ConnectWise, QuickBooks Online and Xero simulators, seeded. */
export async function startDemoSims(): Promise<DemoSims> {
  const invoices = demoInvoices();
  const cw = await startConnectWiseSim({ companyId: demoCompanyId });
  await post(cw.url, '/__sim/seed', demoConnectWiseSeed(invoices));
  const qbo = await startQuickBooksSim({
    authorizeRealmId: demoRealmId,
    clients: { [qboClient.id]: qboClient.secret },
  });
  await post(qbo.url, '/__sim/realms', { realmId: demoRealmId, defaults: true });
  const xero = await startXeroSim();
  await post(xero.url, '/__sim/seed', {
    defaults: true,
    tenants: { [demoXeroTenantId]: { name: 'Demo MSP (Xero)' } },
  });
  return {
    cw,
    qbo,
    xero,
    invoices,
    webhookSecrets: {
      qbo: randomBytes(24).toString('base64url'),
      xero: randomBytes(24).toString('base64url'),
    },
    async close() {
      await Promise.all([cw.close(), qbo.close(), xero.close()]);
    },
  };
}

/** Settings that point Ledgerpod's QuickBooks and Xero clients at the simulators. */
export function demoEnvironment(sims: DemoSims): Record<string, string> {
  return {
    QBO_CLIENT_ID: qboClient.id,
    QBO_CLIENT_SECRET: qboClient.secret,
    QBO_ENVIRONMENT: 'sandbox',
    QBO_API_URL: `${sims.qbo.url}/v3/company/`,
    QBO_OAUTH_URL: sims.qbo.url,
    QBO_APP_URL: sims.qbo.url,
    QBO_WEBHOOK_VERIFIER: sims.webhookSecrets.qbo,
    XERO_CLIENT_ID: defaultSimClient.clientId,
    XERO_CLIENT_SECRET: defaultSimClient.clientSecret,
    XERO_API_URL: `${sims.xero.url}/api.xro/2.0`,
    XERO_IDENTITY_URL: sims.xero.url,
    XERO_APP_URL: sims.xero.url,
    XERO_WEBHOOK_KEY: sims.webhookSecrets.xero,
  };
}

/**
 * The last run's demo tenant and everything of it (records, connections cascade): its simulators
 * are gone, so its queued jobs would only fail against closed ports. Run before workers start.
 */
export async function removeDemoTenant(db: Db): Promise<void> {
  await db.deleteFrom('tenants').where('cw_company_id', '=', demoCompanyId).execute();
}

/**
 * The demo tenant, made afresh on every start (the simulators start empty): ConnectWise bound to
 * the simulator, QuickBooks Online connected and mapped, Xero left for the admin to connect.
 */
export async function installDemoTenant(pod: Ledgerpod, sims: DemoSims): Promise<Tenant> {
  const db = pod.database.db;
  await removeDemoTenant(db);
  const tenant = await pod.services.tenants.create({
    name: 'Demo MSP',
    site: new URL(sims.cw.url).host,
    companyId: demoApiMember.companyId,
    publicKey: demoApiMember.publicKey,
    privateKey: demoApiMember.privateKey,
    clientId: demoClientId,
    apiUrl: sims.cw.url,
    settings: { batchPrefix: 'LP-', syncOnClose: true },
  });
  await pod.frameOrigins.refresh();
  const tokens = (await post(sims.qbo.url, '/__sim/oauth/tokens', {
    realmId: demoRealmId,
    clientId: qboClient.id,
  })) as {
    access_token: string;
    refresh_token: string;
    expires_in: number;
  };
  const connection = await pod.services.connections.save({
    tenantId: tenant.id,
    kind: 'qbo',
    externalId: demoRealmId,
    name: 'Demo MSP (QuickBooks Online)',
    tokens: {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      accessExpiresAt: new Date(Date.now() + tokens.expires_in * 1000),
    },
  });
  await db
    .insertInto('mappings')
    .values(
      demoQuickBooksMappings.map(([kind, cwKey, ledgerKey]) => ({
        tenant_id: tenant.id,
        connection_id: connection.id,
        kind,
        cw_key: cwKey,
        ledger_key: ledgerKey,
      })),
    )
    .execute();
  await pod.services.connectWise.for(tenant).registerCallback({
    description: 'Ledgerpod demo',
    url: `${pod.config.publicUrl}/webhooks/connectwise/${tenant.id}`,
    objectId: 1,
    type: 'invoice',
    level: 'owner',
  });
  await registerDemoWebhooks(pod, sims);
  return tenant;
}

/**
 * Points the simulators' webhooks at the product, signed with the secrets it verifies, so a payment
 * recorded in the simulated QuickBooks or Xero reaches ConnectWise within seconds rather than at
 * the next minute's sweep. Uses the product's own settings, which an operator may have overridden.
 */
export async function registerDemoWebhooks(pod: Ledgerpod, sims: DemoSims): Promise<void> {
  const base = pod.config.publicUrl ?? pod.url!;
  const verifier = pod.config.quickbooks?.webhookVerifier;
  if (verifier)
    await post(sims.qbo.url, '/__sim/webhooks', { url: `${base}/webhooks/qbo`, verifierToken: verifier });
  const key = pod.config.xero?.webhookKey;
  if (key) await post(sims.xero.url, '/__sim/webhooks', { url: `${base}/webhooks/xero`, key });
}

const money = (value: unknown) => Number(value ?? 0).toFixed(2);

/** What the simulated ConnectWise screens list: the simulator's invoices as a person sees them. */
/** The invoice fields the simulated screens show, as the ConnectWise simulator holds them now. */
const cwInvoiceWire = z
  .object({
    id: z.number(),
    invoiceNumber: z.string(),
    type: z.string().nullish(),
    status: z.object({ id: z.number().optional(), name: z.string().optional() }).loose().optional(),
    company: z.object({ id: z.number(), name: z.string() }).loose(),
    date: z.string(),
    dueDate: z.string().optional(),
    subtotal: z.number().nullish(),
    salesTax: z.number().nullish(),
    total: z.number().nullish(),
    balance: z.number().nullish(),
    currency: z.object({ currencyCode: z.string() }).loose().optional(),
  })
  .loose();

/**
 * What the simulated ConnectWise screens list: the simulator's invoices as a person sees them,
 * read on every page so balances move when payments come back.
 */
export async function shellRecords(sims: DemoSims): Promise<Partial<ShellRecords>> {
  const state = z
    .object({
      invoices: z.array(cwInvoiceWire),
      billingStatuses: z
        .array(z.object({ id: z.number(), name: z.string(), inactiveFlag: z.boolean().optional() }).loose())
        .default([]),
    })
    .parse(await (await fetch(`${sims.cw.url}/__sim/state`)).json());
  return {
    billingStatuses: state.billingStatuses
      .filter((s) => !s.inactiveFlag)
      .map((s) => ({ id: s.id, name: s.name })),
    companies: demoCompanies.map((c) => ({
      ...c,
      phone: '555-0100',
      city: 'Springfield',
      accountNumber: c.identifier,
    })),
    invoices: state.invoices.map(
      (invoice): ShellInvoice => ({
        id: invoice.id,
        invoiceNumber: invoice.invoiceNumber,
        type: invoice.type ?? 'Standard',
        status: invoice.status?.name ?? '',
        statusId: invoice.status?.id,
        company: { id: invoice.company.id, name: invoice.company.name },
        date: invoice.date.slice(0, 10),
        dueDate: (invoice.dueDate ?? invoice.date).slice(0, 10),
        subtotal: money(invoice.subtotal),
        salesTax: money(invoice.salesTax),
        total: money(invoice.total),
        balance: money(invoice.balance),
        currency: invoice.currency?.currencyCode ?? 'USD',
      }),
    ),
  };
}

export async function startDemoShell(
  pod: Ledgerpod,
  sims: DemoSims,
  tenant: Tenant,
  port = 0,
): Promise<RunningSim> {
  const podBaseUrl = pod.config.publicUrl ?? pod.url!;
  // The pods name their tenant, as the installer registers them, so the CSP names its ConnectWise.
  const pods = Object.fromEntries(
    Object.entries(defaultPodSlots(podBaseUrl)).map(([slot, list]) => [
      slot,
      list.map((p) => ({ ...p, url: `${p.url}&tenant=${tenant.id}` })),
    ]),
  ) as PodSlots;
  const shell = await startCwShell(
    {
      podBaseUrl,
      pods,
      cwSimUrl: sims.cw.url,
      // A newcomer fixes the seeded failures where people fix them: on the ConnectWise invoice screen.
      invoiceEditor: invoiceEditorFromCwSim(sims.cw.url),
      members: demoMembers.map((m) => ({
        identifier: m.identifier,
        name: `${m.firstName} ${m.lastName}`,
        role: m.role,
      })),
      records: () => shellRecords(sims),
    },
    port,
  );
  pod.frameOrigins.allow(shell.url);
  // server/main.ts prints the screens' URL with localhost for people to open: a different origin
  // from 127.0.0.1 as far as CSP frame-ancestors goes, so both may frame the pods.
  pod.frameOrigins.allow(shell.url.replace('127.0.0.1', 'localhost'));
  return shell;
}

/**
 * The demo's opening moves, run through the real pipeline: some invoices pushed (a few fail, with
 * their hints), then payments made in QuickBooks and written back, so every state is on show.
 */
export async function runDemoOpening(
  pod: Ledgerpod,
  sims: DemoSims,
  tenant: Tenant,
  logger: Logger,
): Promise<void> {
  const deps = { jobs: pod.jobs!, records: pod.services.records };
  for (const { built } of sims.invoices.filter((i) => i.pushAtStart)) {
    await requestPush(deps, { tenantId: tenant.id, type: 'invoice', cwId: built.invoice.id }, 'demo');
  }
  for (const { built, payAtStart } of sims.invoices.filter((i) => i.payAtStart)) {
    const record = await waitForLedgerId(pod, tenant.id, built.invoice.id);
    if (!record) continue;
    const total = Number(built.invoice.total);
    const amount = payAtStart === 'full' ? total : Math.round(total * 40) / 100;
    await post(sims.qbo.url, `/__sim/realms/${demoRealmId}/payments`, { invoiceId: record, amount });
  }
  await sweepAll({ db: pod.database.db, jobs: pod.jobs! }, tenant.id);
  logger.info({ tenantId: tenant.id }, 'demo opening moves done');
}

async function waitForLedgerId(pod: Ledgerpod, tenantId: string, cwId: number): Promise<string | undefined> {
  for (let i = 0; i < 150; i++) {
    const row = await pod.database.db
      .selectFrom('records')
      .select(['ledger_id', 'state'])
      .where('tenant_id', '=', tenantId)
      .where('cw_id', '=', String(cwId))
      .executeTakeFirst();
    if (row?.state === 'synced' && row.ledger_id) return row.ledger_id;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}

/** GET /demo.json: how people and scripts find their way around the demo. */
export function demoRoutes(
  demo: () => { tenant: Tenant; sims: DemoSims; shell: RunningSim } | undefined,
): Router {
  const router = Router();
  router.get('/demo.json', async (_req, res) => {
    const current = demo();
    if (!current) {
      res.status(503).json({
        error: {
          code: 'demo_starting',
          message: 'The demo is still starting',
          hint: 'Try again in a second.',
        },
      });
      return;
    }
    const { tenant, sims, shell } = current;
    // The address people are told to open (server/main.ts prints localhost).
    const screensUrl = shell.url.replace('127.0.0.1', 'localhost');
    const members = await Promise.all(
      demoMembers.map(async (m) => ({
        role: m.role,
        identifier: m.identifier,
        memberAuthentication: await post(sims.cw.url, '/__sim/member-auth', {
          memberIdentifier: m.identifier,
        }),
      })),
    );
    const firstInvoice = sims.invoices[0]!.built.invoice;
    res.json({
      tenantId: tenant.id,
      connectwise: { url: sims.cw.url, site: tenant.cw_site, companyId: tenant.cw_company_id },
      quickbooks: { url: sims.qbo.url, realmId: demoRealmId },
      xero: { url: sims.xero.url, tenantId: demoXeroTenantId },
      members,
      screens: {
        invoice: `${screensUrl}/invoices/${firstInvoice.id}`,
        invoices: `${screensUrl}/invoices`,
        company: `${screensUrl}/companies/${firstInvoice.company.id}`,
        today: `${screensUrl}/today`,
      },
    });
  });
  return router;
}
