import { createRequire } from 'node:module';
import type OAuthClientType from 'intuit-oauth';
import { LedgerError } from '../ledger-error.js';

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
      const response = await intuitCall(() => client().createToken(callbackUrl));
      return tokensFrom(response.json as Record<string, unknown>, realmId, Date.now());
    },

    async refresh(refreshToken: string, realmId: string): Promise<QuickBooksTokens> {
      const response = await intuitCall(() => client().refreshUsingToken(refreshToken));
      return tokensFrom(response.json as Record<string, unknown>, realmId, Date.now());
    },

    async revoke(token: string): Promise<void> {
      await intuitCall(() => client().revoke({ refresh_token: token }));
    },
  };
}

type QuickBooksOAuth = ReturnType<typeof createQuickBooksOAuth>;

/** What intuit-oauth's wrapped error says, read defensively: it is an Error with extra fields. */
interface IntuitFailure {
  error?: unknown;
  error_description?: unknown;
  originalMessage?: unknown;
  message?: unknown;
  authResponse?: { response?: { status?: unknown } | string };
}

/**
 * intuit-oauth rejects with an Error that carries the whole axios response (the token request's
 * form body with the refresh token or code, and the Basic header with the client secret). It is
 * turned into a LedgerError that keeps only the status and Intuit's error words, without `cause`,
 * so the request never travels on. Only a refused grant or client (4xx) means reconnecting; Intuit's
 * 5xx, a 429 and no answer at all are retryable (intuit-oauth has retried 3 times by then).
 */
async function intuitCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (rejection) {
    throw intuitLedgerError(rejection);
  }
}

function intuitLedgerError(rejection: unknown): LedgerError {
  if (rejection instanceof LedgerError) return rejection;
  const failure = (rejection ?? {}) as IntuitFailure;
  const response =
    typeof failure.authResponse?.response === 'object' ? failure.authResponse.response : undefined;
  const status = Number(response?.status) || undefined;
  const error = typeof failure.error === 'string' ? failure.error : undefined;
  const description = typeof failure.error_description === 'string' ? failure.error_description : '';
  const words =
    (error && description && description !== error ? `${error}: ${description}` : error) ||
    String(failure.originalMessage || failure.message || 'no answer from Intuit');
  // Intuit answers a refused grant with 400 {"error":"invalid_grant"}; a wrong client with 401 invalid_client.
  if (
    error === 'invalid_grant' ||
    (status !== undefined && status >= 400 && status < 500 && status !== 429 && status !== 408)
  )
    return new LedgerError({
      code: 'ledger_unauthorized',
      providerMessage: `Intuit's token endpoint refused: ${words}`,
      providerCode: error,
      retryable: false,
      status,
    });
  if (status === 429)
    return new LedgerError({
      code: 'ledger_rate_limited',
      providerMessage: `Intuit's token endpoint is rate limiting: ${words}`,
      retryable: true,
      retryAfterMs: 60_000,
      status,
    });
  const timedOut = /timeout|ETIMEDOUT|ECONNABORTED/i.test(words);
  return new LedgerError({
    code: status === undefined && timedOut ? 'ledger_timeout' : 'ledger_unavailable',
    providerMessage: status
      ? `Intuit's token endpoint answered HTTP ${status}: ${words}`
      : `Intuit's token endpoint did not answer: ${words}`,
    retryable: true,
    status,
  });
}
