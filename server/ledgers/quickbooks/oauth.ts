import { createRequire } from 'node:module';
import type OAuthClientType from 'intuit-oauth';

// intuit-oauth is CommonJS (`module.exports = OAuthClient`); require it as it is.
const OAuthClient = createRequire(import.meta.url)('intuit-oauth') as typeof OAuthClientType;

export interface QuickBooksOAuthOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  environment: 'sandbox' | 'production';
  /** Intuit's endpoints by default; the simulator's in tests. */
  endpoints?: { authorize: string; token: string; revoke: string; userInfo?: string };
}

export interface QuickBooksTokens {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: Date;
  refreshExpiresAt: Date;
  realmId: string;
}

const accountingScope = 'com.intuit.quickbooks.accounting';

/**
 * The OAuth2 steps, stateless: storage, per-connection locking and refresh serialisation live
 * with the caller (two concurrent refreshes would lose the connection: refresh tokens rotate).
 */
export function createQuickBooksOAuth(options: QuickBooksOAuthOptions) {
  const client = () => {
    const oauth = new OAuthClient({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      redirectUri: options.redirectUri,
      environment: options.environment,
    });
    // setAuthorizeURLs writes class-wide endpoints, so every client sets them before each use.
    if (options.endpoints)
      oauth.setAuthorizeURLs({
        authorizeEndpoint: options.endpoints.authorize,
        tokenEndpoint: options.endpoints.token,
        revokeEndpoint: options.endpoints.revoke,
        userInfoEndpoint: options.endpoints.userInfo ?? options.endpoints.authorize,
      });
    return oauth;
  };

  const tokensFrom = (json: Record<string, unknown>, realmId: string, now: number): QuickBooksTokens => ({
    accessToken: String(json.access_token),
    refreshToken: String(json.refresh_token),
    accessExpiresAt: new Date(now + Number(json.expires_in) * 1000),
    refreshExpiresAt: new Date(now + Number(json.x_refresh_token_expires_in) * 1000),
    realmId,
  });

  return {
    authorizeUrl(state: string): string {
      return client().authorizeUri({ scope: [accountingScope], state });
    },

    /** The full callback URL Intuit redirected to (code, state, realmId). */
    async exchangeCode(callbackUrl: string): Promise<QuickBooksTokens> {
      const realmId = new URL(callbackUrl, 'http://callback.invalid').searchParams.get('realmId') ?? '';
      const response = await client().createToken(callbackUrl);
      return tokensFrom(response.json as Record<string, unknown>, realmId, Date.now());
    },

    async refresh(refreshToken: string, realmId: string): Promise<QuickBooksTokens> {
      const response = await client().refreshUsingToken(refreshToken);
      return tokensFrom(response.json as Record<string, unknown>, realmId, Date.now());
    },

    async revoke(token: string): Promise<void> {
      await client().revoke({ refresh_token: token });
    },
  };
}

export type QuickBooksOAuth = ReturnType<typeof createQuickBooksOAuth>;
