import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Role } from './roles.js';

const issuer = 'ledgerpod';
const audience = 'ledgerpod-pod';
export const sessionLifetimeSeconds = 15 * 60;

export interface Session {
  tenantId: string;
  memberId: string;
  memberName: string;
  role: Role;
}

const claimsSchema = z.object({
  tid: z.uuid(),
  sub: z.string().min(1),
  name: z.string(),
  role: z.enum(['viewer', 'accountant', 'admin']),
});

export type TokenProblem = 'expired' | 'invalid';

/** Short-lived HS256 tokens carried as `Authorization: Bearer`; renewed by a fresh CW handshake. */
export class SessionTokens {
  /**
   * `tenantExists` lets a token die with its tenant: a tenant removed while one of its tokens is
   * still within its 15 minutes signs nobody in.
   */
  constructor(
    private readonly key: Uint8Array,
    private readonly tenantExists?: (tenantId: string) => Promise<boolean>,
  ) {}

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
    return { token, expiresAt };
  }

  async verify(
    token: string,
  ): Promise<{ ok: true; session: Session } | { ok: false; problem: TokenProblem }> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer,
        audience,
        algorithms: ['HS256'],
        maxTokenAge: sessionLifetimeSeconds + 5,
      });
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) return { ok: false, problem: 'invalid' };
      const { tid, sub, name, role } = claims.data;
      if (this.tenantExists && !(await this.tenantExists(tid))) return { ok: false, problem: 'invalid' };
      return { ok: true, session: { tenantId: tid, memberId: sub, memberName: name, role } };
    } catch (error) {
      return { ok: false, problem: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
    }
  }
}
