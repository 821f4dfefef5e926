import type { Router } from 'express';
import { cwMemberDirectory } from './auth/cw-member-directory.js';
import { SessionTokens } from './auth/session-token.js';
import type { Config } from './config.js';
import { createSecretBox, type SecretBox } from './crypto/secret-box.js';
import type { Db } from './db/database.js';
import { connectWiseWebhookRoutes } from './http/connectwise-webhook-routes.js';
import { meRoutes } from './http/me-routes.js';
import { recordRoutes } from './http/record-routes.js';
import { sessionRoutes } from './http/session-routes.js';
import type { JobQueue } from './jobs/job-queue.js';
import { type CallLimiter, createCallLimiter } from './ledgers/call-limiter.js';
import { ConnectionStore } from './ledgers/connections/connection-store.js';
import { RecordStore } from './sync/record-store.js';
import { reverseRecord } from './sync/reverse-record.js';
import { TenantConnectWise } from './tenants/tenant-connectwise.js';
import { TenantStore } from './tenants/tenant-store.js';

/** The product's long-lived parts, built once per process from config and database. */
export interface Services {
  box: SecretBox;
  tenants: TenantStore;
  sessionTokens: SessionTokens;
  connectWise: TenantConnectWise;
  connections: ConnectionStore;
  limiter: CallLimiter;
  records: RecordStore;
}

export function createServices(config: Config, db: Db): Services {
  const box = createSecretBox(config.secretKeys);
  const tenants = new TenantStore(db, box);
  return {
    box,
    tenants,
    sessionTokens: new SessionTokens(config.sessionKey),
    connectWise: new TenantConnectWise(tenants),
    connections: new ConnectionStore(db, box),
    limiter: createCallLimiter(db),
    records: new RecordStore(db),
  };
}

/** Every API route module, in mount order. */
export function apiRouters(services: Services, deps: { db: Db; jobs: JobQueue }): Router[] {
  return [
    sessionRoutes({
      tenants: services.tenants,
      tokens: services.sessionTokens,
      directoryFor: (tenant) => cwMemberDirectory(services.connectWise.for(tenant)),
    }),
    meRoutes(services.sessionTokens),
    connectWiseWebhookRoutes({ ...deps, tenants: services.tenants, connectWise: services.connectWise }),
    recordRoutes({
      ...deps,
      records: services.records,
      tokens: services.sessionTokens,
      async reverse(tenantId, key, actor) {
        const tenant = await services.tenants.get(tenantId);
        if (!tenant) throw new Error(`tenant ${tenantId} vanished`);
        await reverseRecord(
          { records: services.records, cw: services.connectWise.for(tenant) },
          { tenantId, ...key },
          actor,
        );
      },
    }),
  ];
}
