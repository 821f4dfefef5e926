import axios from 'axios';
import { custom, errors, Issuer, type TokenSet } from 'openid-client';
import { XeroClient } from 'xero-node';
import { z } from 'zod';
import { LedgerError } from '../ledger-error.js';
import { toLedgerError } from './errors.js';

/** Where Xero's identity service lives; the simulator serves the same paths under /identity. */
export interface XeroIdentityEndpoints {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  revocationEndpoint: string;
  connectionsUrl: string;
}

export const xeroProductionEndpoints: XeroIdentityEndpoints = {
  issuer: 'https://identity.xero.com',
  authorizationEndpoint: 'https://login.xero.com/identity/connect/authorize',
  tokenEndpoint: 'https://identity.xero.com/connect/token',
  jwksUri: 'https://identity.xero.com/.well-known/openid-configuration/jwks',
  revocationEndpoint: 'https://identity.xero.com/connect/revocation',
  connectionsUrl: 'https://api.xero.com/connections',
};

/** The simulator's endpoints at its base URL. */
export const xeroSimEndpoints = (baseUrl: string): XeroIdentityEndpoints => ({
  issuer: `${baseUrl}/identity`,
  authorizationEndpoint: `${baseUrl}/identity/connect/authorize`,
  tokenEndpoint: `${baseUrl}/identity/connect/token`,
  jwksUri: `${baseUrl}/identity/.well-known/openid-configuration/jwks`,
  revocationEndpoint: `${baseUrl}/identity/connect/revocation`,
  connectionsUrl: `${baseUrl}/connections`,
});

export interface XeroOAuthConfig {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scopes: string[];
  endpoints: XeroIdentityEndpoints;
  timeoutMs?: number;
}

export interface XeroTokens {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: Date;
  /** Verified id_token claims (signature, issuer, audience, expiry) when the openid scope was granted. */
  idTokenClaims: Record<string, unknown> | undefined;
}

const connectionSchema = z.array(
  z.looseObject({
    id: z.string(),
    tenantId: z.string(),
    tenantType: z.string(),
    tenantName: z.string().nullable().optional(),
    createdDateUtc: z.string().optional(),
    updatedDateUtc: z.string().optional(),
  }),
);
export type XeroConnection = z.infer<typeof connectionSchema>[number];

/**
 * Xero OAuth 2 / OpenID Connect. The Issuer is built from configuration, so no discovery request is
 * made, and handed to xero-node as its openIdClient. Storage and locking of tokens belong to the
 * caller: every refresh rotates the refresh token, so two concurrent refreshes would lose one.
 */
export function createXeroOAuth(config: XeroOAuthConfig) {
  const e = config.endpoints;
  const issuer = new Issuer({
    issuer: e.issuer,
    authorization_endpoint: e.authorizationEndpoint,
    token_endpoint: e.tokenEndpoint,
    jwks_uri: e.jwksUri,
    revocation_endpoint: e.revocationEndpoint,
    id_token_signing_alg_values_supported: ['RS256'],
  });
  const xero = new XeroClient({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    redirectUris: [config.redirectUri],
    scopes: config.scopes,
  });
  xero.openIdClient = new issuer.Client({
    client_id: config.clientId,
    client_secret: config.clientSecret,
    redirect_uris: [config.redirectUri],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  });
  const timeout = config.timeoutMs ?? 10_000;
  xero.openIdClient[custom.http_options] = (_url, options) => ({ ...options, timeout });
  xero.openIdClient[custom.clock_tolerance] = 5;
  const client = xero.openIdClient;
  const openid = config.scopes.includes('openid');

  const tokensOf = (set: TokenSet): XeroTokens => {
    if (!set.access_token || !set.refresh_token) {
      throw new LedgerError({
        code: 'ledger_bad_response',
        providerMessage: 'Xero returned no access or refresh token (is offline_access in the scopes?)',
        retryable: false,
      });
    }
    return {
      accessToken: set.access_token,
      refreshToken: set.refresh_token,
      accessExpiresAt: new Date((set.expires_at ?? Math.floor(Date.now() / 1000) + 1800) * 1000),
      idTokenClaims: set.id_token ? { ...set.claims() } : undefined,
    };
  };

  return {
    authorizeUrl(state: string): string {
      return client.authorizationUrl({
        redirect_uri: config.redirectUri,
        scope: config.scopes.join(' '),
        state,
      });
    },

    /** Trades the code in the redirect for tokens; checks state, and the id_token when openid was asked. */
    async exchangeCode(callbackUrl: string, expectedState: string): Promise<XeroTokens> {
      const params = client.callbackParams(callbackUrl);
      const set = await oauthCall(() =>
        openid
          ? client.callback(config.redirectUri, params, { state: expectedState })
          : client.oauthCallback(config.redirectUri, params, { state: expectedState }),
      );
      return tokensOf(set);
    },

    async refresh(refreshToken: string): Promise<XeroTokens> {
      return tokensOf(await oauthCall(() => client.refresh(refreshToken)));
    },

    async revoke(refreshToken: string): Promise<void> {
      await oauthCall(() => client.revoke(refreshToken, 'refresh_token'));
    },

    /** GET /connections ourselves: xero-node's updateTenants() has api.xero.com hard-coded. */
    async connections(accessToken: string): Promise<XeroConnection[]> {
      const response = await oauthCall(() =>
        axios.get(e.connectionsUrl, { headers: { Authorization: `Bearer ${accessToken}` }, timeout }),
      );
      const parsed = connectionSchema.safeParse(response.data);
      if (!parsed.success)
        throw new LedgerError({
          code: 'ledger_bad_response',
          providerMessage: 'Unexpected /connections answer',
          retryable: false,
          cause: parsed.error,
        });
      return parsed.data;
    },

    async disconnect(accessToken: string, connectionId: string): Promise<void> {
      await oauthCall(() =>
        axios.delete(`${e.connectionsUrl}/${encodeURIComponent(connectionId)}`, {
          headers: { Authorization: `Bearer ${accessToken}` },
          timeout,
        }),
      );
    },
  };
}
type XeroOAuth = ReturnType<typeof createXeroOAuth>;

/**
 * Only a refused grant or client (invalid_grant, a 4xx) means the user must connect again. Xero's
 * identity service answering 5xx, 429 or not at all is retryable: the grant is still good.
 * The raw error is not kept as `cause`: openid-client's error holds the HTTP response.
 */
async function oauthCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof errors.OPError) {
      const status = error.response?.statusCode;
      const providerMessage = error.error_description
        ? `${error.error}: ${error.error_description}`
        : (error.error ?? 'oauth error');
      if (status !== undefined && (status >= 500 || status === 429 || status === 408))
        throw new LedgerError({
          code: status === 429 ? 'ledger_rate_limited' : 'ledger_unavailable',
          providerMessage: `Xero's identity service answered HTTP ${status}: ${providerMessage}`,
          retryable: true,
          retryAfterMs: status === 429 ? 60_000 : undefined,
          status,
        });
      throw new LedgerError({
        code: 'ledger_unauthorized',
        providerMessage,
        providerCode: error.error,
        retryable: false,
        status,
      });
    }
    if (error instanceof errors.RPError) {
      throw new LedgerError({
        code: 'ledger_bad_response',
        providerMessage: error.message,
        retryable: false,
      });
    }
    throw toLedgerError(error);
  }
}
