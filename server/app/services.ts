import type { Router } from 'express';
import { cwMemberDirectory } from '../auth/cw-member-directory.js';
import { type CurrentRoleOf, MemberRecheck } from '../auth/member-recheck.js';
import { roleForSecurityRole } from '../auth/roles.js';
import { SessionTokens } from '../auth/session-token.js';
import { UnauthenticatedBudget } from '../auth/unauthenticated-budget.js';
import { createSecretBox, type SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import { closeRoutes } from '../http/close-routes.js';
import { connectionRoutes } from '../http/connection-routes.js';
import { connectWiseWebhookRoutes } from '../http/connectwise-webhook-routes.js';
import { correctionRoutes } from '../http/correction-routes.js';
import { driftRoutes } from '../http/drift-routes.js';
import { healthAdminRoutes } from '../http/health-admin-routes.js';
import { insightRoutes } from '../http/insight-routes.js';
import { ledgerWebhookRoutes } from '../http/ledger-webhook-routes.js';
import { mappingRoutes } from '../http/mapping-routes.js';
import { meRoutes } from '../http/me-routes.js';
import { OAuthStates, oauthCallbackRoutes } from '../http/oauth-callback-routes.js';
import { onboardingRoutes } from '../http/onboarding-routes.js';
import { operatorRoutes } from '../http/operator-routes.js';
import { paymentRoutes } from '../http/payment-routes.js';
import { podUiRoutes } from '../http/pod-ui-routes.js';
import { recordRoutes } from '../http/record-routes.js';
import { sessionRoutes } from '../http/session-routes.js';
import { settingsRoutes } from '../http/settings-routes.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { ConnectionStore } from '../ledgers/connections/connection-store.js';
import { LedgerRegistry } from '../ledgers/ledger-registry.js';
import { type Providers, providersFrom } from '../ledgers/providers.js';
import { type CallLimiter, createCallLimiter } from '../outbound/call-limiter.js';
import { type CallMeter, createCallMeter } from '../outbound/metering/call-meter.js';
import { recheckRecord } from '../pipeline/push-check.js';
import { reverseRecord } from '../pipeline/reverse-record.js';
import { requestDiscovery, requestSweep } from '../pipeline/sweep-jobs.js';
import { RecordStore } from '../records/record-store.js';
import type { Config } from '../shared/config.js';
import { AppError } from '../shared/errors.js';
import { createLogger, type Logger } from '../shared/log.js';
import type { FrameOrigins } from '../tenants/frame-origins.js';
import { TenantConnectWise } from '../tenants/tenant-connectwise.js';
import { TenantStore } from '../tenants/tenant-store.js';

/** The product's long-lived parts, built once per process from config and database. */
export interface Services {
  config: Config;
  box: SecretBox;
  tenants: TenantStore;
  sessionTokens: SessionTokens;
  connectWise: TenantConnectWise;
  connections: ConnectionStore;
  limiter: CallLimiter;
  /** Every outside call counted per budget key, shared through Postgres (metering/call-meter.ts). */
  meter: CallMeter;
  providers: Providers;
  ledgers: LedgerRegistry;
  oauthStates: OAuthStates;
  publicUrl: string | undefined;
  podUiDir: string;
  records: RecordStore;
  /** What requests nobody has proven yet may cost a tenant's ConnectWise budget. */
  unproven: UnauthenticatedBudget;
}

export function createServices(config: Config, db: Db, logger?: Logger): Services {
  const box = createSecretBox(config.secretKeys);
  const tenants = new TenantStore(db, box);
  const connections = new ConnectionStore(db, box);
  const limiter = createCallLimiter(db);
  const meter = createCallMeter(db, logger ? { logger } : {});
  const providers = providersFrom(config);
  const connectWise = new TenantConnectWise(tenants, {
    timeoutMs: config.timeouts.connectWiseMs,
    limiter,
    callsPerMinute: config.cwCallsPerMinute,
    meter,
  });
  return {
    config,
    box,
    tenants,
    sessionTokens: new SessionTokens(
      config.sessionKey,
      async (tenantId) => Boolean(await tenants.get(tenantId)),
      new MemberRecheck(currentRoleIn(tenants, connectWise)),
    ),
    connectWise,
    connections,
    limiter,
    meter,
    providers,
    ledgers: new LedgerRegistry({
      store: connections,
      limiter,
      meter,
      providers,
      publicUrl: config.publicUrl,
      timeoutMs: config.timeouts.ledgerMs,
    }),
    oauthStates: new OAuthStates(db, config.sessionKey),
    publicUrl: config.publicUrl,
    podUiDir: config.podUiDir,
    records: new RecordStore(db),
    unproven: new UnauthenticatedBudget(limiter),
  };
}

/** The role ConnectWise gives a member now, for the minute-by-minute re-check of sessions. */
function currentRoleIn(tenants: TenantStore, connectWise: TenantConnectWise): CurrentRoleOf {
  return async (tenantId, memberId) => {
    const tenant = await tenants.get(tenantId);
    if (!tenant) return undefined;
    const member = await cwMemberDirectory(connectWise.for(tenant)).memberWithRole(memberId);
    return member ? roleForSecurityRole(member.securityRole, tenants.settingsOf(tenant)) : undefined;
  };
}

/** Every API route module, in mount order. */
export function apiRouters(
  services: Services,
  deps: { db: Db; jobs: JobQueue; frameOrigins: FrameOrigins; logger?: Logger },
): Router[] {
  return [
    sessionRoutes({
      db: deps.db,
      jobs: deps.jobs,
      tenants: services.tenants,
      tokens: services.sessionTokens,
      directoryFor: (tenant) => cwMemberDirectory(services.connectWise.for(tenant)),
      unproven: services.unproven,
      limiter: services.limiter,
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
    connectWiseWebhookRoutes({
      ...deps,
      tenants: services.tenants,
      connectWise: services.connectWise,
      unproven: services.unproven,
    }),
    ...ledgerRouters(services, deps.db),
    paymentRoutes({ ...deps, tokens: services.sessionTokens }),
    ledgerWebhookRoutes({ ...deps, config: services.config }),
    insightRoutes({ db: deps.db, tokens: services.sessionTokens }),
    closeRoutes({ ...services, db: deps.db, tokens: services.sessionTokens }),
    healthAdminRoutes({
      ...deps,
      tokens: services.sessionTokens,
      connections: services.connections,
      watchMinutes: services.config.cwCallbackWatchMinutes,
      tiers: services.config.budgets,
    }),
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
      limiter: services.limiter,
      syncAll: (tenantId, actor) => requestSweep(deps.jobs, { tenantId, actor }),
      discover: (tenantId) => requestDiscovery(deps.jobs, tenantId),
      async recheck(tenantId, key, actor) {
        const tenant = await signedInTenant(services, tenantId);
        return recheckRecord(
          { ...services, db: deps.db, jobs: deps.jobs },
          tenant,
          { tenantId, ...key },
          actor,
        );
      },
      async reverse(tenantId, key, actor) {
        const tenant = await signedInTenant(services, tenantId);
        await reverseRecord(
          { records: services.records, cw: services.connectWise.for(tenant) },
          { tenantId, ...key },
          actor,
        );
      },
    }),
    driftRoutes({
      ...services,
      db: deps.db,
      jobs: deps.jobs,
      logger: deps.logger ?? createLogger('silent'),
      tokens: services.sessionTokens,
    }),
    correctionRoutes({
      ...services,
      db: deps.db,
      jobs: deps.jobs,
      logger: deps.logger ?? createLogger('silent'),
      tokens: services.sessionTokens,
    }),
  ];
}

/** The session's tenant, which may have been removed since the token was issued. */
async function signedInTenant(services: Services, tenantId: string) {
  const tenant = await services.tenants.get(tenantId);
  if (!tenant)
    throw new AppError(401, 'session_invalid', 'The session token is not valid', {
      hint: 'Reload the ConnectWise screen to sign in again.',
    });
  return tenant;
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
