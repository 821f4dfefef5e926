import { sql } from 'kysely';
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { Db } from '../../db/database.js';
import type { ConnectionTaxSetup, LedgerConnection, LedgerKind } from '../../db/schema.js';
import { ledgerPartyStore, type PartyStore } from '../party-cache.js';

/** How long a refresh waits for another process's refresh of the same connection (two ledger timeouts). */
const refreshLockWaitMs = 65_000;

export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: Date;
}

const storedTokensSchema = z.object({ accessToken: z.string(), refreshToken: z.string() });

/** A connection as the admin screens see it: never with its tokens. */
export interface ConnectionSummary {
  id: string;
  kind: LedgerKind;
  externalId: string;
  name: string;
  status: LedgerConnection['status'];
  statusReason: string | null;
  cwLocationIds: number[];
  isDefault: boolean;
  accessExpiresAt: string;
  /** QBO: how the company takes tax, read when it was connected; null for Xero or unknown. */
  taxSetup: ConnectionTaxSetup | null;
}

export const summarise = (c: LedgerConnection): ConnectionSummary => ({
  id: c.id,
  kind: c.kind,
  externalId: c.external_id,
  name: c.name,
  status: c.status,
  statusReason: c.status_reason,
  cwLocationIds: c.cw_location_ids,
  isDefault: c.is_default,
  accessExpiresAt: new Date(c.access_expires_at).toISOString(),
  taxSetup: c.tax_setup ?? null,
});

/** Ledger connections of tenants, tokens sealed at rest. Every read is scoped by tenant. */
export class ConnectionStore {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  /**
   * Saves a new connection or reconnects an existing one (same tenant, kind and realm/org), which
   * keeps its name.
   */
  async save(input: {
    tenantId: string;
    kind: LedgerKind;
    externalId: string;
    name: string;
    tokens: OAuthTokens;
    /** Read at connect time; undefined keeps what a reconnected connection had. */
    taxSetup?: ConnectionTaxSetup;
  }): Promise<LedgerConnection> {
    const existing = await this.db
      .selectFrom('ledger_connections')
      .select('id')
      .where('tenant_id', '=', input.tenantId)
      .where('status', '!=', 'disconnected')
      .executeTakeFirst();
    return this.db
      .insertInto('ledger_connections')
      .values({
        tenant_id: input.tenantId,
        kind: input.kind,
        external_id: input.externalId,
        name: input.name,
        tokens_enc: this.sealTokens(input.tokens),
        access_expires_at: input.tokens.accessExpiresAt,
        is_default: !existing,
        ...(input.taxSetup ? { tax_setup: JSON.stringify(input.taxSetup) } : {}),
      })
      .onConflict((oc) =>
        // A reconnect keeps the name the connection had: the admin knows it by it, and its records
        // and audit trail name it (the provider's name may differ, or be a fallback "Company 123").
        oc.columns(['tenant_id', 'kind', 'external_id']).doUpdateSet({
          tokens_enc: this.sealTokens(input.tokens),
          access_expires_at: input.tokens.accessExpiresAt,
          status: 'active',
          status_reason: null,
          ...(input.taxSetup ? { tax_setup: JSON.stringify(input.taxSetup) } : {}),
          updated_at: new Date(),
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** The connection's cache of CW company -> ledger customer / vendor id. */
  partiesOf(connectionId: string): PartyStore {
    return ledgerPartyStore(this.db, connectionId);
  }

  list(tenantId: string): Promise<LedgerConnection[]> {
    return this.db
      .selectFrom('ledger_connections')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .execute();
  }

  get(tenantId: string, id: string): Promise<LedgerConnection | undefined> {
    if (!z.uuid().safeParse(id).success) return Promise.resolve(undefined);
    return this.db
      .selectFrom('ledger_connections')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /**
   * The connection that books a record of this CW location: one listing the location, else the
   * tenant's default. Disconnected connections never receive records.
   */
  async routeFor(tenantId: string, cwLocationId: number | null): Promise<LedgerConnection | undefined> {
    const candidates = (await this.list(tenantId)).filter((c) => c.status !== 'disconnected');
    return (
      (cwLocationId === null
        ? undefined
        : candidates.find((c) => c.cw_location_ids.includes(cwLocationId))) ??
      candidates.find((c) => c.is_default) ??
      candidates[0]
    );
  }

  async setRouting(
    tenantId: string,
    id: string,
    routing: { cwLocationIds: number[]; isDefault: boolean },
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (routing.isDefault) {
        await trx
          .updateTable('ledger_connections')
          .set({ is_default: false })
          .where('tenant_id', '=', tenantId)
          .execute();
      }
      await trx
        .updateTable('ledger_connections')
        .set({
          cw_location_ids: routing.cwLocationIds,
          is_default: routing.isDefault,
          updated_at: new Date(),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    });
  }

  async disconnect(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('ledger_connections')
      .set({
        status: 'disconnected',
        status_reason: 'Disconnected by an admin',
        is_default: false,
        tokens_enc: this.box.seal('{}'),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** What a QBO ledger read of its company's tax settings (a connection made before they were read). */
  async setTaxSetup(id: string, taxSetup: ConnectionTaxSetup): Promise<void> {
    // updated_at is left alone: the ledger built for the connection already knows the setup.
    await this.db
      .updateTable('ledger_connections')
      .set({ tax_setup: JSON.stringify(taxSetup) })
      .where('id', '=', id)
      .execute();
  }

  async markNeedsReconnect(id: string, reason: string): Promise<void> {
    await this.db
      .updateTable('ledger_connections')
      .set({ status: 'needs_reconnect', status_reason: reason, updated_at: new Date() })
      .where('id', '=', id)
      .where('status', '=', 'active')
      .execute();
  }

  tokensOf(connection: LedgerConnection): OAuthTokens {
    const stored = storedTokensSchema.parse(JSON.parse(this.box.open(connection.tokens_enc)));
    return { ...stored, accessExpiresAt: new Date(connection.access_expires_at) };
  }

  /**
   * Runs `refresh` for a connection while holding a Postgres advisory lock on it, so only one
   * process at a time spends the (rotating) refresh token. `refresh` sees the freshest row.
   */
  async withRefreshLock<T>(
    id: string,
    refresh: (current: LedgerConnection, save: (tokens: OAuthTokens) => Promise<void>) => Promise<T>,
  ): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      // Waiting here is waiting for another process's refresh, a provider call of up to the ledger
      // timeout: this one wait outlasts a web process's short lock limit (config.dbTimeouts).
      await sql`set local lock_timeout = ${sql.lit(refreshLockWaitMs)}`.execute(trx);
      await sql`set local statement_timeout = ${sql.lit(refreshLockWaitMs)}`.execute(trx);
      await sql`select pg_advisory_xact_lock(hashtextextended(${`ledger-refresh:${id}`}, 0))`.execute(trx);
      const current = await trx
        .selectFrom('ledger_connections')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return refresh(current, async (tokens) => {
        await trx
          .updateTable('ledger_connections')
          .set({
            tokens_enc: this.sealTokens(tokens),
            access_expires_at: tokens.accessExpiresAt,
            updated_at: new Date(),
          })
          .where('id', '=', id)
          .execute();
      });
    });
  }

  private sealTokens(tokens: OAuthTokens): string {
    return this.box.seal(
      JSON.stringify({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }),
    );
  }
}
