import type { Db } from '../db/database.js';

/**
 * The browser origin of a tenant's ConnectWise: where its pods are framed from. That is the site
 * members sign in to (na.myconnectwise.net), not the API host; plain http only for a local site
 * whose API is served from that same host (the simulator).
 */
export function cwOriginOf(tenant: { cw_site: string; cw_api_url: string | null }): string {
  if (tenant.cw_api_url) {
    const api = new URL(tenant.cw_api_url);
    if (api.host === tenant.cw_site) return api.origin;
  }
  return `https://${tenant.cw_site}`;
}

/**
 * The ConnectWise origins allowed to frame Ledgerpod (CSP frame-ancestors). Read from the tenants
 * table and kept in memory, refreshed on change and every minute so other processes' edits arrive.
 */
export class FrameOrigins {
  private origins: string[] = [];
  private readonly byTenant = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  private readonly configured: Set<string>;

  constructor(
    private readonly db: Db,
    configured: string[],
  ) {
    this.configured = new Set(configured);
  }

  /** Adds an origin for the life of the process (the demo's simulated ConnectWise screens). */
  allow(origin: string): void {
    this.configured.add(new URL(origin).origin);
    this.origins = [...new Set([...this.origins, new URL(origin).origin])].sort();
  }

  async start(refreshMs = 60_000): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const tenants = await this.db.selectFrom('tenants').select(['id', 'cw_site', 'cw_api_url']).execute();
    this.byTenant.clear();
    for (const tenant of tenants) this.byTenant.set(tenant.id, cwOriginOf(tenant));
    this.origins = [...new Set([...this.configured, ...this.byTenant.values()])].sort();
  }

  list(): string[] {
    return this.origins.length > 0 ? this.origins : [...this.configured];
  }

  /**
   * For a pod page that names its tenant (`/pod/?tenant=<id>`, as the installer registers it):
   * only that tenant's ConnectWise (and origins configured for every tenant) may frame it.
   */
  forUrl(url: string | undefined): string[] {
    // Split by hand: a request path is not always a valid URL (`//x` reads as a host).
    const [path = '', query = ''] = (url ?? '').split('?', 2);
    const tenantId = path.startsWith('/pod') ? new URLSearchParams(query).get('tenant') : null;
    const tenantOrigin = tenantId ? this.byTenant.get(tenantId) : undefined;
    return tenantOrigin ? [...new Set([tenantOrigin, ...this.configured])].sort() : this.list();
  }
}
