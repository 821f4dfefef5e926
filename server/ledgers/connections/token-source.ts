import { ledgerLabels } from '../../../contract/ledger-kinds.js';
import type { LedgerConnection } from '../../db/schema.js';
import type { AccessTokenSource } from '../ledger.js';
import { LedgerError } from '../ledger-error.js';
import type { ConnectionStore, OAuthTokens } from './connection-store.js';

/** The provider's refresh call: rotating refresh tokens come back in the result. */
export interface TokenRefresher {
  refresh(refreshToken: string): Promise<OAuthTokens>;
}

/** Thrown by a TokenRefresher when the provider refused the refresh token (revoked, expired, rotated out). */
export class InvalidGrantError extends Error {
  readonly code = 'invalid_grant';
}

/** Refreshed this long before expiry, so a call never starts with a token about to lapse. */
const refreshAheadMs = 5 * 60_000;

/**
 * Access tokens for one connection: served from memory while fresh, refreshed ahead of expiry
 * under the connection's advisory lock (one refresh across all processes), and a refused refresh
 * turns the connection `needs_reconnect` with a clear error instead of failing silently.
 */
export function connectionTokenSource(
  store: ConnectionStore,
  connection: LedgerConnection,
  refresher: TokenRefresher,
): AccessTokenSource {
  let cached: OAuthTokens | undefined;
  let forceRefresh = false;
  let inFlight: Promise<string> | undefined;
  /** Set once the ledger refused the connection outright (QBO 403 / 3100): no token helps then. */
  let refusedFor: string | undefined;

  const fresh = (tokens: OAuthTokens) => tokens.accessExpiresAt.getTime() - Date.now() > refreshAheadMs;

  async function obtain(): Promise<string> {
    if (cached && fresh(cached) && !forceRefresh) return cached.accessToken;
    const staleToken = forceRefresh ? cached?.accessToken : undefined;
    forceRefresh = false;
    // A refused grant is marked after the lock's transaction ends: marking it inside, on another
    // pooled connection, would wait forever on the single-session embedded database.
    let refusedReason: string | undefined;
    try {
      cached = await store.withRefreshLock(connection.id, async (current, save) => {
        if (current.status !== 'active')
          throw reconnectNeeded(current.status_reason ?? 'The connection is not active');
        const tokens = store.tokensOf(current);
        // Another process may have refreshed while we waited for the lock.
        if (fresh(tokens) && tokens.accessToken !== staleToken) return tokens;
        try {
          const next = await refresher.refresh(tokens.refreshToken);
          await save(next);
          return next;
        } catch (error) {
          if (!(error instanceof InvalidGrantError)) throw error;
          refusedReason = `${ledgerLabels[connection.kind]} refused the stored authorisation (${error.message})`;
          throw reconnectNeeded(refusedReason);
        }
      });
    } catch (error) {
      if (refusedReason) await store.markNeedsReconnect(connection.id, refusedReason);
      throw error;
    }
    return cached.accessToken;
  }

  return {
    accessToken() {
      if (refusedFor) return Promise.reject(reconnectNeeded(refusedFor));
      // One refresh per process at a time; the advisory lock covers other processes.
      inFlight ??= obtain().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate() {
      forceRefresh = true;
    },
    async refused(reason) {
      refusedFor = reason.replace(/\.$/, '');
      await store.markNeedsReconnect(connection.id, reason);
    },
  };
}

const reconnectNeeded = (reason: string) =>
  new LedgerError({
    code: 'ledger_unauthorized',
    providerMessage: `${reason}. An admin must reconnect it in the Ledgerpod admin tab; nothing is lost meanwhile.`,
    retryable: false,
  });
