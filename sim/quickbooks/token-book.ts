import { randomBytes } from 'node:crypto';

export const accessTokenSeconds = 3600;
export const refreshTokenSeconds = 100 * 86_400;

interface Grant {
  realmId: string;
  clientId: string;
  /** The one refresh token of this grant that still works; refreshing replaces it. */
  refreshToken: string;
  refreshExpiresAt: number;
  revoked: boolean;
}

export interface IssuedTokens {
  token_type: 'bearer';
  access_token: string;
  refresh_token: string;
  expires_in: number;
  x_refresh_token_expires_in: number;
}

const token = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;

/** Authorization codes, access tokens and rotating refresh tokens of the simulated Intuit OAuth server. */
export class TokenBook {
  private codes = new Map<
    string,
    { realmId: string; clientId: string; redirectUri: string; expiresAt: number }
  >();
  private access = new Map<string, { grant: Grant; expiresAt: number }>();
  private refresh = new Map<string, Grant>();
  refreshes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  clear(): void {
    this.codes.clear();
    this.access.clear();
    this.refresh.clear();
    this.refreshes = 0;
  }

  issueCode(realmId: string, clientId: string, redirectUri: string): string {
    const code = token('AB11');
    this.codes.set(code, { realmId, clientId, redirectUri, expiresAt: this.now() + 5 * 60_000 });
    return code;
  }

  /** Codes are single use and bound to the client and redirect URI they were issued for. */
  exchangeCode(code: string, clientId: string, redirectUri: string): IssuedTokens | undefined {
    const entry = this.codes.get(code);
    this.codes.delete(code);
    if (
      !entry ||
      entry.expiresAt < this.now() ||
      entry.clientId !== clientId ||
      entry.redirectUri !== redirectUri
    )
      return undefined;
    return this.issue(entry.realmId, clientId);
  }

  /** Issues a fresh grant directly (the control API uses this so tests can skip the browser dance). */
  issue(realmId: string, clientId: string): IssuedTokens {
    const grant: Grant = {
      realmId,
      clientId,
      refreshToken: '',
      refreshExpiresAt: this.now() + refreshTokenSeconds * 1000,
      revoked: false,
    };
    return this.rotate(grant);
  }

  /** Every refresh rotates the refresh token: the old one stops working at once. */
  useRefreshToken(refreshToken: string, clientId: string): IssuedTokens | undefined {
    const grant = this.refresh.get(refreshToken);
    if (!grant || grant.revoked || grant.clientId !== clientId || grant.refreshToken !== refreshToken)
      return undefined;
    if (grant.refreshExpiresAt < this.now()) return undefined;
    this.refreshes += 1;
    return this.rotate(grant);
  }

  /** Revoking either token of a grant ends the whole grant, as Intuit does. */
  revoke(anyToken: string): void {
    const grant = this.refresh.get(anyToken) ?? this.access.get(anyToken)?.grant;
    if (grant) grant.revoked = true;
  }

  /** The realm an access token may use, or why not. */
  check(accessToken: string): { realmId: string } | { error: string } {
    const entry = this.access.get(accessToken);
    if (!entry || entry.grant.revoked) return { error: 'Token revoked or unknown' };
    if (entry.expiresAt <= this.now()) return { error: 'Token expired' };
    return { realmId: entry.grant.realmId };
  }

  expireAccessTokens(): number {
    for (const entry of this.access.values()) entry.expiresAt = 0;
    return this.access.size;
  }

  private rotate(grant: Grant): IssuedTokens {
    const accessToken = token('eyJsim.');
    grant.refreshToken = token('RT1-');
    this.refresh.set(grant.refreshToken, grant);
    this.access.set(accessToken, { grant, expiresAt: this.now() + accessTokenSeconds * 1000 });
    return {
      token_type: 'bearer',
      access_token: accessToken,
      refresh_token: grant.refreshToken,
      expires_in: accessTokenSeconds,
      x_refresh_token_expires_in: Math.round((grant.refreshExpiresAt - this.now()) / 1000),
    };
  }
}
