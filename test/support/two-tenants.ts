import type { Router } from 'express';
import { apiRouters } from '../../server/app/services.js';
import type { LedgerConnection, Tenant } from '../../server/db/schema.js';
import { healthRoutes } from '../../server/http/health-routes.js';
import { createOnboardingRun } from '../../server/onboarding/onboarding.js';
import type { Config } from '../../server/shared/config.js';
import type { Logger } from '../../server/shared/log.js';
import { simConfig, startQboSim, startXeroSimHandle } from '../ledgers/support/ledger-worlds.js';
import { addSimTenant, type CwSim, type members, sessionToken, startSeededConnectWise } from './cw-tenant.js';
import { startTestPod, type TestPod } from './test-pod.js';

type Role = keyof typeof members;

export interface TenantSide {
  cw: CwSim;
  tenant: Tenant;
  token: Record<Role, string>;
}

/** What tenant B owns that tenant A must never see or touch. */
export interface SecretsOfB {
  connection: LedgerConnection;
  recordCwId: number;
  recordNumber: string;
  recordId: string;
  onboardingRunId: string;
  companyId: number;
}

export interface TwoTenantWorld {
  pod: TestPod;
  qbo: Awaited<ReturnType<typeof startQboSim>>;
  xero: Awaited<ReturnType<typeof startXeroSimHandle>>;
  a: TenantSide;
  b: TenantSide;
  ofB: SecretsOfB;
  close(): Promise<void>;
}

/** Secrets the world's server is configured with, so every route is switched on. */
export const worldSecrets = {
  operatorToken: 'operator-token-for-the-security-suite-0123456789',
  qboWebhookVerifier: 'qbo-webhook-verifier-of-the-suite',
  xeroWebhookKey: 'xero-webhook-key-of-the-suite',
};

async function side(pod: TestPod, cw: CwSim, name: string): Promise<TenantSide> {
  const tenant = await addSimTenant(pod, cw, name);
  const token = {
    admin: await sessionToken(pod.url, cw, 'admin'),
    accountant: await sessionToken(pod.url, cw, 'accountant'),
    viewer: await sessionToken(pod.url, cw, 'viewer'),
  };
  return { cw, tenant, token };
}

/**
 * One pod, both ledger simulators, and two tenants on two ConnectWise simulators (same company id
 * "ledgerpod", different sites). Tenant B owns a connection, a mapping, a synced record with
 * events, and an onboarding run; tenant A owns nothing but its members.
 */
export async function startTwoTenantWorld(
  options: {
    logger?: Logger;
    config?: (qboUrl: string, xeroUrl: string) => Config;
    /** More settings for the default config, e.g. POD_UI_DIR. */
    env?: Record<string, string>;
  } = {},
): Promise<TwoTenantWorld> {
  const [qbo, xero, cwA, cwB] = await Promise.all([
    startQboSim(),
    startXeroSimHandle(),
    startSeededConnectWise(),
    startSeededConnectWise(),
  ]);
  const config = options.config
    ? options.config(qbo.url, xero.url)
    : simConfig(qbo.url, xero.url, {
        OPERATOR_TOKEN: worldSecrets.operatorToken,
        QBO_WEBHOOK_VERIFIER: worldSecrets.qboWebhookVerifier,
        XERO_WEBHOOK_KEY: worldSecrets.xeroWebhookKey,
        ...options.env,
      });
  const pod = await startTestPod({ config, logger: options.logger });
  const a = await side(pod, cwA, 'Tenant A MSP');
  const b = await side(pod, cwB, 'Tenant B MSP');

  const connection = await pod.services.connections.save({
    tenantId: b.tenant.id,
    kind: 'qbo',
    externalId: qbo.externalId,
    name: 'B Books',
    tokens: await qbo.grant(),
  });
  const db = pod.database.db;
  await db
    .insertInto('mappings')
    .values({
      tenant_id: b.tenant.id,
      connection_id: connection.id,
      kind: 'gl_account',
      cw_key: '4000',
      ledger_key: '1',
      ledger_name: 'B-SECRET-MAPPING',
    })
    .execute();
  const recordCwId = 7777;
  const recordNumber = 'B-SECRET-7777';
  const records = pod.services.records;
  const row = await records.ensure({ tenantId: b.tenant.id, type: 'invoice', cwId: recordCwId });
  await records.transition(row, {
    to: 'synced',
    actor: 'b-secret-actor',
    kind: 'batched',
    set: {
      number: recordNumber,
      // In the close routes' example period (route-table.ts): tenant A's close and evidence must not show it.
      record_date: '2024-05-10',
      company_id: '250',
      company_name: 'B Secret Customer',
      total_minor: '123456',
      balance_minor: '123456',
      ledger_balance_minor: '123456',
      connection_id: connection.id,
      ledger_kind: 'qbo',
      ledger_number: recordNumber,
      refreshed_at: new Date(),
    },
    detail: { note: 'B-SECRET-EVENT' },
  });
  const run = await createOnboardingRun(db, b.tenant.id, {
    batchPrefix: 'BSECRET-',
    cutoffDate: '2023-12-31',
    recordTypes: ['invoice'],
    dryRun: false,
  });
  return {
    pod,
    qbo,
    xero,
    a,
    b,
    ofB: {
      connection,
      recordCwId,
      recordNumber,
      recordId: row.id,
      onboardingRunId: run.id,
      companyId: 250,
    },
    async close() {
      await pod.close();
      await Promise.all([qbo.close(), xero.close(), cwA.close(), cwB.close()]);
    },
  };
}

export interface RouteInfo {
  method: string;
  path: string;
}

/** Every method + path the product's routers answer, read from the routers themselves. */
export function mountedRoutes(pod: TestPod): RouteInfo[] {
  const routers: Router[] = [
    healthRoutes({ db: pod.database.db, jobs: pod.jobs, metrics: pod.metrics }),
    ...apiRouters(pod.services, { db: pod.database.db, jobs: pod.jobs!, frameOrigins: pod.frameOrigins }),
  ];
  const out: RouteInfo[] = [];
  for (const router of routers) {
    for (const layer of router.stack as unknown as {
      route?: { path: string | string[]; methods: Record<string, boolean> };
    }[]) {
      if (!layer.route) continue;
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const path of paths) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push({ method: method.toUpperCase(), path });
        }
      }
    }
  }
  return out;
}
