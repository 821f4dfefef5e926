import { randomBytes, randomUUID } from 'node:crypto';

export const ACCESS_TOKEN_SECONDS = 30 * 60;
export const REFRESH_TOKEN_SECONDS = 60 * 24 * 3600;

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

interface AccessGrant {
  clientId: string;
  userId: string;
  expiresAt: number;
}

interface RefreshGrant {
  clientId: string;
  userId: string;
  scope: string;
  /** Rotated out by a refresh, or revoked: using it again is invalid_grant. */
  spent: boolean;
  expiresAt: number;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  scope: string;
  nonce: string | undefined;
  expiresAt: number;
}

export interface Connection {
  id: string;
  clientId: string;
  tenantId: string;
  createdMs: number;
  updatedMs: number;
}

const opaque = () => randomBytes(24).toString('base64url');

/** Who holds which token, and which organisations each app is connected to. */
export class IdentityState {
  readonly userId = randomUUID();
  private codes = new Map<string, PendingCode>();
  private access = new Map<string, AccessGrant>();
  private refresh = new Map<string, RefreshGrant>();
  private connections = new Map<string, Connection>();
  tokenRefreshes = 0;

  constructor(readonly clients: OAuthClient[]) {}

  reset(): void {
    this.codes.clear();
    this.access.clear();
    this.refresh.clear();
    this.connections.clear();
    this.tokenRefreshes = 0;
  }

  client(clientId: string, secret?: string): OAuthClient | undefined {
    return this.clients.find(
      (c) => c.clientId === clientId && (secret === undefined || c.clientSecret === secret),
    );
  }

  newCode(pending: Omit<PendingCode, 'expiresAt'>): string {
    const code = opaque();
    this.codes.set(code, { ...pending, expiresAt: Date.now() + 5 * 60_000 });
    return code;
  }

  /** A code works once. */
  takeCode(code: string): PendingCode | undefined {
    const pending = this.codes.get(code);
    this.codes.delete(code);
    return pending && pending.expiresAt > Date.now() ? pending : undefined;
  }

  issue(clientId: string, scope: string): { accessToken: string; refreshToken: string } {
    const accessToken = opaque();
    const refreshToken = opaque();
    this.access.set(accessToken, {
      clientId,
      userId: this.userId,
      expiresAt: Date.now() + ACCESS_TOKEN_SECONDS * 1000,
    });
    this.refresh.set(refreshToken, {
      clientId,
      userId: this.userId,
      scope,
      spent: false,
      expiresAt: Date.now() + REFRESH_TOKEN_SECONDS * 1000,
    });
    return { accessToken, refreshToken };
  }

  /** Rotates: the old refresh token is spent, a new pair is issued. */
  rotate(
    refreshToken: string,
    clientId: string,
  ): { accessToken: string; refreshToken: string; scope: string } | undefined {
    const grant = this.refresh.get(refreshToken);
    if (!grant || grant.spent || grant.clientId !== clientId || grant.expiresAt < Date.now())
      return undefined;
    grant.spent = true;
    this.tokenRefreshes += 1;
    return { ...this.issue(clientId, grant.scope), scope: grant.scope };
  }

  revoke(token: string): void {
    const grant = this.refresh.get(token);
    if (grant) grant.spent = true;
    this.access.delete(token);
  }

  accessGrant(token: string): (AccessGrant & { expired: boolean }) | undefined {
    const grant = this.access.get(token);
    return grant && { ...grant, expired: grant.expiresAt <= Date.now() };
  }

  expireAccessTokens(): number {
    for (const grant of this.access.values()) grant.expiresAt = Date.now() - 1000;
    return this.access.size;
  }

  /** Connects an app to organisations (consent auto-approves every tenant the simulator holds). */
  connect(clientId: string, tenantIds: string[]): void {
    for (const tenantId of tenantIds) {
      const existing = this.connectionFor(clientId, tenantId);
      if (existing) existing.updatedMs = Date.now();
      else {
        const id = randomUUID();
        this.connections.set(id, { id, clientId, tenantId, createdMs: Date.now(), updatedMs: Date.now() });
      }
    }
  }

  connectionFor(clientId: string, tenantId: string): Connection | undefined {
    return [...this.connections.values()].find((c) => c.clientId === clientId && c.tenantId === tenantId);
  }

  connectionsOf(clientId: string): Connection[] {
    return [...this.connections.values()].filter((c) => c.clientId === clientId);
  }

  disconnect(clientId: string, connectionId: string): boolean {
    const connection = this.connections.get(connectionId);
    if (!connection || connection.clientId !== clientId) return false;
    this.connections.delete(connectionId);
    return true;
  }
}
