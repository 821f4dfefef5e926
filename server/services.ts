import type { Router } from 'express';
import { cwMemberDirectory } from './auth/cw-member-directory.js';
import { SessionTokens } from './auth/session-token.js';
import type { Config } from './config.js';
import { createSecretBox, type SecretBox } from './crypto/secret-box.js';
import type { Db } from './db/database.js';
import { AppError } from './errors.js';
import { connectionRoutes } from './http/connection-routes.js';
import { connectWiseWebhookRoutes } from './http/connectwise-webhook-routes.js';
import { insightRoutes } from './http/insight-routes.js';
import { ledgerWebhookRoutes } from './http/ledger-webhook-routes.js';
import { mappingRoutes } from './http/mapping-routes.js';
import { meRoutes } from './http/me-routes.js';
import { OAuthStates, oauthCallbackRoutes } from './http/oauth-callback-routes.js';
import { onboardingRoutes } from './http/onboarding-routes.js';
import { operatorRoutes } from './http/operator-routes.js';
import { paymentRoutes } from './http/payment-routes.js';
import { podUiRoutes } from './http/pod-ui-routes.js';
import { recordRoutes } from './http/record-routes.js';
import { sessionRoutes } from './http/session-routes.js';
import { settingsRoutes } from './http/settings-routes.js';
import type { JobQueue } from './jobs/job-queue.js';
import { type CallLimiter, createCallLimiter } from './ledgers/call-limiter.js';
import { ConnectionStore } from './ledgers/connections/connection-store.js';
import { LedgerRegistry } from './ledgers/ledger-registry.js';
import { type Providers, providersFrom } from './ledgers/providers.js';
import { RecordStore } from './sync/record-store.js';
import { reverseRecord } from './sync/reverse-record.js';
import { requestDiscovery, requestSweep } from './sync/sweep-jobs.js';
import type { FrameOrigins } from './tenants/frame-origins.js';
import { TenantConnectWise } from './tenants/tenant-connectwise.js';
import { TenantStore } from './tenants/tenant-store.js';

/** The product's long-lived parts, built once per process from config and database. */
export interface Services {
  config: Config;
  box: SecretBox;
  tenants: TenantStore;
  sessionTokens: SessionTokens;
  connectWise: TenantConnectWise;
  connections: ConnectionStore;
  limiter: CallLimiter;
  providers: Providers;
  ledgers: LedgerRegistry;
  oauthStates: OAuthStates;
  publicUrl: string | undefined;
  podUiDir: string;
  records: RecordStore;
}

export function createServices(config: Config, db: Db): Services {
  const box = createSecretBox(config.secretKeys);
  const tenants = new TenantStore(db, box);
  const connections = new ConnectionStore(db, box);
  const limiter = createCallLimiter(db);
  const providers = providersFrom(config);
  return {
    config,
    box,
    tenants,
    sessionTokens: new SessionTokens(config.sessionKey, async (tenantId) =>
      Boolean(await tenants.get(tenantId)),
    ),
    connectWise: new TenantConnectWise(tenants, {
      timeoutMs: config.timeouts.connectWiseMs,
      limiter,
      callsPerMinute: config.cwCallsPerMinute,
    }),
    connections,
    limiter,
    providers,
    ledgers: new LedgerRegistry({
      store: connections,
      limiter,
      providers,
      publicUrl: config.publicUrl,
      timeoutMs: config.timeouts.ledgerMs,
    }),
    oauthStates: new OAuthStates(db, config.sessionKey),
    publicUrl: config.publicUrl,
    podUiDir: config.podUiDir,
    records: new RecordStore(db),
  };
}

/** Every API route module, in mount order. */
export function apiRouters(
  services: Services,
  deps: { db: Db; jobs: JobQueue; frameOrigins: FrameOrigins },
): Router[] {
  return [
    sessionRoutes({
      db: deps.db,
      jobs: deps.jobs,
      tenants: services.tenants,
      tokens: services.sessionTokens,
      directoryFor: (tenant) => cwMemberDirectory(services.connectWise.for(tenant)),
    }),
    meRoutes(services.sessionTokens),
    operatorRoutes({
      db: deps.db,
      box: services.box,
      operatorToken: services.config.operatorToken,
      publicUrl: () => services.config.publicUrl ?? 'http://localhost',
      frameOrigins: deps.frameOrigins,
    }),
    podUiRoutes(services.podUiDir),
    connectWiseWebhookRoutes({ ...deps, tenants: services.tenants, connectWise: services.connectWise }),
    ...ledgerRouters(services, deps.db),
    paymentRoutes({ ...deps, tokens: services.sessionTokens }),
    ledgerWebhookRoutes({ ...deps, config: services.config }),
    insightRoutes({ db: deps.db, tokens: services.sessionTokens }),
    onboardingRoutes({
      ...deps,
      tokens: services.sessionTokens,
      tenants: services.tenants,
      connectWise: services.connectWise,
    }),
    recordRoutes({
      ...deps,
      records: services.records,
      tokens: services.sessionTokens,
      syncAll: (tenantId, actor) => requestSweep(deps.jobs, { tenantId, actor }),
      discover: (tenantId) => requestDiscovery(deps.jobs, tenantId),
      async reverse(tenantId, key, actor) {
        const tenant = await services.tenants.get(tenantId);
        if (!tenant)
          throw new AppError(401, 'session_invalid', 'The session token is not valid', {
            hint: 'Reload the ConnectWise screen to sign in again.',
          });
        await reverseRecord(
          { records: services.records, cw: services.connectWise.for(tenant) },
          { tenantId, ...key },
          actor,
        );
      },
    }),
  ];
}

/** Connections, OAuth callback, mappings and settings. */
function ledgerRouters(services: Services, db: Db): Router[] {
  const connect = {
    states: services.oauthStates,
    providers: services.providers,
    connections: services.connections,
    publicUrl: services.publicUrl,
  };
  return [
    connectionRoutes({ ...connect, sessionTokens: services.sessionTokens }),
    oauthCallbackRoutes(connect),
    mappingRoutes({ ...services, db }),
    settingsRoutes(services),
  ];
}
