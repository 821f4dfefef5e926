import type { Db } from '../db/database.js';

/** The browser origin of a tenant's ConnectWise: where its pods are framed from. */
export function cwOriginOf(tenant: { cw_site: string; cw_api_url: string | null }): string {
  if (tenant.cw_api_url) return new URL(tenant.cw_api_url).origin;
  return `https://${tenant.cw_site}`;
}

/**
 * The ConnectWise origins allowed to frame Ledgerpod (CSP frame-ancestors). Read from the tenants
 * table and kept in memory, refreshed on change and every minute so other processes' edits arrive.
 */
export class FrameOrigins {
  private origins: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly configured: string[],
  ) {}

  async start(refreshMs = 60_000): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const tenants = await this.db.selectFrom('tenants').select(['cw_site', 'cw_api_url']).execute();
    this.origins = [...new Set([...this.configured, ...tenants.map(cwOriginOf)])].sort();
  }

  list(): string[] {
    return this.origins.length > 0 ? this.origins : [...this.configured];
  }
}
