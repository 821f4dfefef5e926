import type { LedgerConnection } from '../db/schema.js';
import { limitedGate } from '../outbound/call-gate.js';
import type { CallLimiter } from '../outbound/call-limiter.js';
import type { CallMeter } from '../outbound/metering/call-meter.js';
import { withBooksLock } from './books-lock.js';
import type { ConnectionStore, OAuthTokens } from './connections/connection-store.js';
import { connectionTokenSource, InvalidGrantError, type TokenRefresher } from './connections/token-source.js';
import type { AccessTokenSource, Ledger, LedgerFactory } from './ledger.js';
import { withMergedLookups } from './merged-lookups.js';
import { withPartyCache } from './party-cache.js';
import type { LedgerContext, ProviderOAuth } from './provider.js';
import {
  ledgerProviderOf,
  oauthFor,
  type Provider,
  type Providers,
  providerOf,
  redirectUriFor,
} from './providers.js';
import { ledgerGateRetry, type RetryPolicy } from './retry.js';

export interface LedgerRegistryOptions {
  store: ConnectionStore;
  limiter: CallLimiter;
  providers: Providers;
  /** Only used to name a redirect URI to the OAuth helpers; refresh does not depend on it. */
  publicUrl?: string;
  timeoutMs?: number;
  retryPolicy?: RetryPolicy;
  /** Counts every call that leaves (metering/call-meter.ts). */
  meter?: CallMeter;
}

/**
 * Builds the Ledger of a stored connection with token refresh (serialised across processes) and
 * the shared call limits wrapped around it, once, for both providers.
 */
export class LedgerRegistry implements LedgerFactory {
  private readonly ledgers = new Map<string, { version: string; ledger: Ledger }>();
  private readonly oauth = new Map<string, ProviderOAuth>();

  constructor(private readonly options: LedgerRegistryOptions) {}

  for(connection: LedgerConnection): Ledger {
    const version = `${new Date(connection.updated_at).getTime()}:${connection.status}`;
    const cached = this.ledgers.get(connection.id);
    if (cached && cached.version === version) return cached.ledger;
    const ledger = this.build(connection);
    this.ledgers.set(connection.id, { version, ledger });
    return ledger;
  }

  /** The OAuth helpers of a kind (authorize, exchange, refresh, revoke). */
  oauthOf(kind: LedgerConnection['kind']): ProviderOAuth {
    const provider = providerOf(this.options.providers, kind);
    let oauth = this.oauth.get(kind);
    if (!oauth) {
      oauth = oauthFor(provider, redirectUriFor(this.options.publicUrl ?? 'http://localhost', kind));
      this.oauth.set(kind, oauth);
    }
    return oauth;
  }

  providerOf(kind: LedgerConnection['kind']): Provider {
    return providerOf(this.options.providers, kind);
  }

  private build(connection: LedgerConnection): Ledger {
    const provider = this.providerOf(connection.kind);
    const oauth = this.oauthOf(connection.kind);
    const tokens = refusalAware(this.options.store, connection, (refreshToken) =>
      oauth.refresh(refreshToken, connection.external_id),
    );
    const gate = limitedGate(
      this.options.limiter,
      `${connection.kind}:${connection.external_id}`,
      provider.limits,
      ledgerGateRetry(this.options.retryPolicy),
      this.options.meter,
    );
    const entry = ledgerProviderOf(connection.kind);
    const context: LedgerContext = {
      connection,
      tokens,
      gate,
      timeoutMs: this.options.timeoutMs ?? 30_000,
      store: this.options.store,
    };
    const ledger = entry.createLedger(provider, context);
    // The books' lock from the settings each ledger keeps it in (books-lock.ts), through the same
    // tokens and call limits as every other call of the connection.
    const readLock = () => entry.readLock(provider, context);
    return withBooksLock(
      withMergedLookups(withPartyCache(ledger, this.options.store.partiesOf(connection.id))),
      readLock,
    );
  }
}

/**
 * The connection's token source over the provider's refresh; a refused grant (the entry's refusal
 * rule: revoked, expired, rotated out) becomes InvalidGrantError, which turns the connection
 * `needs_reconnect`.
 */
function refusalAware(
  store: ConnectionStore,
  connection: LedgerConnection,
  refresh: (refreshToken: string) => Promise<OAuthTokens>,
): AccessTokenSource {
  const { refusedGrant } = ledgerProviderOf(connection.kind);
  const refresher: TokenRefresher = {
    async refresh(refreshToken) {
      try {
        return await refresh(refreshToken);
      } catch (error) {
        const refused = refusedGrant(error);
        if (refused !== undefined) throw new InvalidGrantError(refused);
        throw error;
      }
    },
  };
  return connectionTokenSource(store, connection, refresher);
}
