import type { LedgerConnection } from '../db/schema.js';
import type { CallLimiter, CallLimits, CallPriority } from '../outbound/call-limiter.js';
import type { CallMeter } from '../outbound/metering/call-meter.js';
import { withBooksLock } from './books-lock.js';
import type { ConnectionStore, OAuthTokens } from './connections/connection-store.js';
import { connectionTokenSource, InvalidGrantError, type TokenRefresher } from './connections/token-source.js';
import type { AccessTokenSource, CallGate, Ledger, LedgerFactory } from './ledger.js';
import { LedgerError } from './ledger-error.js';
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

export interface RetryDecision {
  retry: boolean;
  reason: string;
  waitMs: number;
}

export interface RetryPolicy {
  /** Attempts in all for a rate-limited call. */
  rateLimitedAttempts: number;
  /** A Retry-After longer than this (Xero's day limit) is left to the job queue's retry. */
  maxWaitMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { rateLimitedAttempts: 8, maxWaitMs: 60_000 };

/**
 * Whether a failed ledger call is tried again in-process, and after how long. Pure. A 429 waits
 * what the provider asked; a 401 is tried once more, after the token source was told to refresh.
 * Nothing else is retried here: timeouts and 5xx may have written, and belong to the push job,
 * which retries with the same idempotency key.
 */
export function retryDecision(error: unknown, attempt: number, policy = defaultRetryPolicy): RetryDecision {
  if (!(error instanceof LedgerError)) return { retry: false, reason: 'not a ledger error', waitMs: 0 };
  if (error.code === 'ledger_rate_limited') {
    const waitMs = error.retryAfterMs ?? 60_000;
    if (waitMs > policy.maxWaitMs) return { retry: false, reason: 'wait longer than allowed', waitMs };
    if (attempt >= policy.rateLimitedAttempts)
      return { retry: false, reason: 'rate limited too often', waitMs };
    return { retry: true, reason: 'rate limited', waitMs };
  }
  if (error.code === 'ledger_unauthorized' && error.retryable && attempt < 2)
    return { retry: true, reason: 'access token refused; refreshed', waitMs: 0 };
  return { retry: false, reason: error.code, waitMs: 0 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Every SDK call of one connection through the shared limiter; 429s push the shared budget back.
 * Each attempt that leaves is counted on `meter` under the same key (every outside call passes
 * here: QBO, Xero and ConnectWise alike).
 */
export function limitedGate(
  limiter: CallLimiter,
  key: string,
  limits: CallLimits,
  policy = defaultRetryPolicy,
  meter?: CallMeter,
): CallGate {
  const kind = (priority?: CallPriority) => (priority?.write ? 'write' : 'read');
  return {
    async run(call, priority) {
      const counted = meter
        ? () => {
            meter.count(key, kind(priority));
            return call();
          }
        : call;
      for (let attempt = 1; ; attempt++) {
        try {
          return await limiter.run(key, limits, counted, priority);
        } catch (error) {
          const decision = retryDecision(error, attempt, policy);
          if (!decision.retry) throw error;
          if (error instanceof LedgerError && error.code === 'ledger_rate_limited') {
            // Every process waits (shared budget), and this caller sleeps the whole wait itself:
            // the limiter's burst tolerance could otherwise absorb a short push-back.
            await limiter.pushBack(key, decision.waitMs);
            await sleep(decision.waitMs);
          }
        }
      }
    },
    slowDown: (waitMs) => limiter.pushBack(key, waitMs),
  };
}

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
      this.options.retryPolicy,
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
