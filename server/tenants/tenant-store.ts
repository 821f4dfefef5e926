import { z } from 'zod';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import type { Tenant } from '../db/schema.js';

/** The ConnectWise API member keys of a tenant, stored sealed in `tenants.cw_keys_enc`. */
export interface CwApiKeys {
  publicKey: string;
  privateKey: string;
}

export const tenantSettingsSchema = z.object({
  /** CW security role name -> Ledgerpod role; roles not listed fall back to the defaults in roles.ts. */
  roleMap: z.record(z.string(), z.enum(['viewer', 'accountant', 'admin', 'none'])).default({}),
  syncOnClose: z.boolean().default(false),
  /**
   * A record that failed on something ConnectWise shows fixed (closed now, renamed, mapped) is pushed
   * again at once: the push it failed was asked for already. Off, the pod says it is fixed and an
   * accountant syncs it.
   */
  syncWhenFixed: z.boolean().default(true),
  /** Minutes between sweeps of all unposted records into the books; 0 turns the schedule off. */
  sweepMinutes: z.number().int().min(0).max(1440).default(0),
  /** When the last sweep ran (kept by the sweep itself). */
  lastSweepAt: z.string().optional(),
  batchPrefix: z.string().max(20).default(''),
  /**
   * How ledger payments are written to a CW invoice: 'many', one CW payment each; 'one', a single CW
   * payment per invoice whose amount grows with each ledger payment. Integration vendors report
   * ConnectWise allows one payment per invoice (Zynk updates the existing one, domain.md §8); CW's
   * own API types allow a list. Unverified either way, so the tenant chooses.
   */
  cwPaymentsPerInvoice: z.enum(['many', 'one']).default('many'),
  /** Payments in the ledger from this date on are written back to ConnectWise. */
  paymentsFrom: z.iso.date().optional(),
  /** Rounding difference (major units) that becomes an adjustment line instead of an error. */
  roundingLimit: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .default('10.00'),
});
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

export const newTenantSchema = z.object({
  name: z.string().min(1).max(200),
  site: z
    .string()
    .min(1)
    .transform((s) =>
      s
        .trim()
        .toLowerCase()
        .replace(/^https?:\/\//, '')
        .replace(/\/.*$/, ''),
    ),
  companyId: z.string().min(1).max(100),
  publicKey: z.string().min(1),
  privateKey: z.string().min(1),
  clientId: z.string().min(1),
  /** Where the CW REST API answers when it is not derived from the site (on-premise, simulator). */
  apiUrl: z.url({ protocol: /^https?$/ }).optional(),
  settings: tenantSettingsSchema.partial().optional(),
});
export type NewTenantInput = z.input<typeof newTenantSchema>;

/** Every tenant, oldest first (the operator's list): no keys, no settings. */
export function listTenants(db: Db) {
  return db
    .selectFrom('tenants')
    .select(['id', 'name', 'cw_site', 'cw_company_id', 'created_at'])
    .orderBy('created_at')
    .execute();
}

export class TenantStore {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  async create(input: NewTenantInput): Promise<Tenant> {
    const t = newTenantSchema.parse(input);
    return this.db
      .insertInto('tenants')
      .values({
        name: t.name,
        cw_site: t.site,
        cw_company_id: t.companyId,
        cw_api_url: t.apiUrl ? new URL(t.apiUrl).origin : null,
        cw_client_id: t.clientId,
        cw_keys_enc: this.box.seal(JSON.stringify({ publicKey: t.publicKey, privateKey: t.privateKey })),
        settings: JSON.stringify(tenantSettingsSchema.parse(t.settings ?? {})),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  get(id: string): Promise<Tenant | undefined> {
    if (!z.uuid().safeParse(id).success) return Promise.resolve(undefined);
    return this.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Tenants of a CW company id, at any site: the caller decides whether the site matches. */
  byCompanyId(companyId: string): Promise<Tenant[]> {
    return this.db
      .selectFrom('tenants')
      .selectAll()
      .where((eb) => eb(eb.fn('lower', ['cw_company_id']), '=', companyId.toLowerCase()))
      .execute();
  }

  keysOf(tenant: Tenant): CwApiKeys {
    return z
      .object({ publicKey: z.string(), privateKey: z.string() })
      .parse(JSON.parse(this.box.open(tenant.cw_keys_enc)));
  }

  settingsOf(tenant: Tenant): TenantSettings {
    return tenantSettingsSchema.parse(tenant.settings ?? {});
  }

  async updateSettings(tenantId: string, patch: Partial<TenantSettings>): Promise<TenantSettings> {
    const tenant = await this.get(tenantId);
    if (!tenant) throw new Error(`tenant ${tenantId} not found`);
    const settings = tenantSettingsSchema.parse({ ...this.settingsOf(tenant), ...patch });
    await this.db
      .updateTable('tenants')
      .set({ settings: JSON.stringify(settings), updated_at: new Date() })
      .where('id', '=', tenantId)
      .execute();
    return settings;
  }
}
