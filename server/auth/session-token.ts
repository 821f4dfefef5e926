import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { MemberRecheck } from './member-recheck.js';
import type { Session } from './session.js';

const issuer = 'ledgerpod';
const audience = 'ledgerpod-pod';
export const sessionLifetimeSeconds = 15 * 60;

const claimsSchema = z.object({
  tid: z.uuid(),
  sub: z.string().min(1),
  name: z.string(),
  role: z.enum(['viewer', 'accountant', 'admin']),
});

export type TokenProblem = 'expired' | 'invalid';

type Verified = { ok: true; session: Session } | { ok: false; problem: TokenProblem };

/** Verified tokens kept at most: one per pod open in the last 15 minutes, with room to spare. */
const verifiedCacheSize = 20_000;

/** Short-lived HS256 tokens carried as `Authorization: Bearer`; renewed by a fresh CW handshake. */
export class SessionTokens {
  /**
   * Tokens whose signature and claims were checked, by their exact text (signature included, so a
   * changed byte misses), until the moment they stop being valid. Every pod call carries the same
   * token for 15 minutes; checking the HMAC (WebCrypto, async) and claims once per token instead of
   * once per request is most of what a status read costs to authenticate. Only good tokens are kept:
   * a bad one costs its sender the full check every time.
   */
  private readonly verified = new Map<string, { session: Session; validUntilMs: number }>();

  /**
   * `tenantExists` lets a token die with its tenant: a tenant removed while one of its tokens is
   * still within its 15 minutes signs nobody in. It is asked on every `verify`, never cached.
   */
  constructor(
    private readonly key: Uint8Array,
    private readonly tenantExists?: (tenantId: string) => Promise<boolean>,
    /** Holds each session against the member's current standing in ConnectWise (member-recheck.ts). */
    private readonly recheck?: MemberRecheck,
  ) {}

  /**
   * The session as the member may use it now: its role lowered to what ConnectWise gives the member
   * today (asked at most a minute ago), or null once the member has no access at all (deactivated,
   * removed, or a security role that maps to nothing).
   */
  async standing(session: Session): Promise<Session | null> {
    if (!this.recheck) return session;
    const role = await this.recheck.roleOf(session);
    if (!role) return null;
    return role === session.role ? session : { ...session, role };
  }

  async issue(session: Session, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = new Date((issuedAt + sessionLifetimeSeconds) * 1000);
    const token = await new SignJWT({ tid: session.tenantId, name: session.memberName, role: session.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(session.memberId)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + sessionLifetimeSeconds)
      .sign(this.key);
    // Signed here, so known good: the pod's first call with it skips the check.
    this.remember(token, session, validUntilMs(issuedAt + sessionLifetimeSeconds, issuedAt));
    // Issued on a sign-in that just read the member from ConnectWise.
    this.recheck?.remember(session);
    return { token, expiresAt };
  }

  /** Signature, claims and the tenant's existence. */
  async verify(token: string): Promise<Verified> {
    const result = await this.verifySigned(token);
    if (!result.ok) return result;
    return (await this.tenantIsLive(result.session.tenantId)) ? result : { ok: false, problem: 'invalid' };
  }

  /**
   * Signature and claims only: for a route whose own query proves the tenant still exists (see
   * `requireSignedSession`). Everything else uses `verify`.
   */
  async verifySigned(token: string, nowMs = Date.now()): Promise<Verified> {
    const cached = this.verified.get(token);
    if (cached && nowMs < cached.validUntilMs) return { ok: true, session: cached.session };
    if (cached) this.verified.delete(token);
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer,
        audience,
        algorithms: ['HS256'],
        maxTokenAge: sessionLifetimeSeconds + maxAgeToleranceSeconds,
        currentDate: new Date(nowMs),
      });
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) return { ok: false, problem: 'invalid' };
      const { tid, sub, name, role } = claims.data;
      const session: Session = { tenantId: tid, memberId: sub, memberName: name, role };
      this.remember(token, session, validUntilMs(payload.exp, payload.iat));
      return { ok: true, session };
    } catch (error) {
      return { ok: false, problem: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
    }
  }

  /** Whether the tenant still exists (true when this instance was built without a check). */
  async tenantIsLive(tenantId: string): Promise<boolean> {
    return this.tenantExists ? this.tenantExists(tenantId) : true;
  }

  private remember(token: string, session: Session, until: number) {
    if (this.verified.size >= verifiedCacheSize) {
      // Map keeps insertion order: the first entries are the oldest tokens, the first to expire.
      const now = Date.now();
      for (const [key, entry] of this.verified) {
        if (entry.validUntilMs > now && this.verified.size < verifiedCacheSize) break;
        this.verified.delete(key);
      }
    }
    this.verified.set(token, { session, validUntilMs: until });
  }
}

const maxAgeToleranceSeconds = 5;

/**
 * The moment jose would first refuse the token: `exp` (no clock tolerance) or `iat` + maxTokenAge,
 * whichever comes first. jose checks `exp` as `exp <= now` in whole seconds.
 */
function validUntilMs(exp: number | undefined, iat: number | undefined): number {
  const byExp = exp === undefined ? Number.POSITIVE_INFINITY : exp * 1000;
  const byAge =
    iat === undefined
      ? Number.POSITIVE_INFINITY
      : (iat + sessionLifetimeSeconds + maxAgeToleranceSeconds) * 1000;
  return Math.min(byExp, byAge);
}
