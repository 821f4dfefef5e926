import { type ConnectWiseClient, createConnectWiseClient } from '../connectwise/index.js';
import type { Tenant } from '../db/schema.js';
import { limitedGate, noGateRetry } from '../outbound/call-gate.js';
import { type CallLimiter, providerLimits } from '../outbound/call-limiter.js';
import type { CallMeter } from '../outbound/metering/call-meter.js';
import type { TenantStore } from './tenant-store.js';

/** The call-limiter key of a tenant's ConnectWise budget. */
export const cwLimiterKey = (tenantId: string) => `cw:${tenantId}`;

/**
 * One ConnectWise client per tenant, built from its sealed API keys and kept while the tenant row
 * is unchanged, so codebase discovery happens once.
 */
export class TenantConnectWise {
  private readonly clients = new Map<string, { version: number; client: ConnectWiseClient }>();

  constructor(
    private readonly tenants: TenantStore,
    private readonly options: {
      timeoutMs?: number;
      limiter?: CallLimiter;
      callsPerMinute?: number;
      /** Counts every ConnectWise call that leaves (metering/call-meter.ts). */
      meter?: CallMeter;
    } = {},
  ) {}

  private get limits() {
    const perMinute = this.options.callsPerMinute ?? providerLimits.connectwise.perMinute;
    return { ...providerLimits.connectwise, perMinute };
  }

  for(tenant: Tenant): ConnectWiseClient {
    const version = new Date(tenant.updated_at).getTime();
    const cached = this.clients.get(tenant.id);
    if (cached && cached.version === version) return cached.client;
    const keys = this.tenants.keysOf(tenant);
    const client = createConnectWiseClient({
      site: tenant.cw_site,
      companyId: tenant.cw_company_id,
      publicKey: keys.publicKey,
      privateKey: keys.privateKey,
      clientId: tenant.cw_client_id,
      ...(tenant.cw_api_url ? { apiOrigin: tenant.cw_api_url } : {}),
      ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
      // Paced like the ledgers: one budget per tenant shared by every process through Postgres.
      // No retry at the gate: the transport decides CW's retries itself (connectwise/retry.ts),
      // 429 push-backs included (gate.slowDown).
      ...(this.options.limiter
        ? {
            gate: limitedGate(
              this.options.limiter,
              cwLimiterKey(tenant.id),
              this.limits,
              noGateRetry,
              this.options.meter,
            ),
          }
        : {}),
    });
    this.clients.set(tenant.id, { version, client });
    return client;
  }
}
