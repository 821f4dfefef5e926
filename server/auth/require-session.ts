import type { RequestHandler } from 'express';
import { AppError } from '../shared/errors.js';
import { type Role, roleAtLeast } from './roles.js';
import type { Session } from './session.js';
import type { SessionTokens } from './session-token.js';

declare module 'express-serve-static-core' {
  interface Request {
    session?: Session;
  }
}

const bearer = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/;

/** The session refusals every route answers the same way. */
export const sessionErrors = {
  required: () =>
    new AppError(401, 'session_required', 'This request needs a Ledgerpod session token', {
      hint: 'Open Ledgerpod from a ConnectWise screen; the pod signs in with your ConnectWise member.',
    }),
  expired: () =>
    new AppError(401, 'session_expired', 'Your Ledgerpod session has expired', {
      hint: 'The pod renews it automatically; reload the ConnectWise screen if this persists.',
    }),
  invalid: () =>
    new AppError(401, 'session_invalid', 'The session token is not valid', {
      hint: 'Reload the ConnectWise screen to sign in again.',
    }),
  revoked: () =>
    new AppError(403, 'access_revoked', 'ConnectWise no longer gives your member access to Ledgerpod', {
      hint: 'Your member was deactivated or its security role changed. Ask a Ledgerpod admin to map your security role, then reload the ConnectWise screen.',
    }),
};

function sessionMiddleware(
  verify: (token: string) => ReturnType<SessionTokens['verify']>,
  standing: SessionTokens['standing'],
): RequestHandler {
  return async (req, _res, next) => {
    const match = bearer.exec(req.headers.authorization ?? '');
    if (!match?.[1]) throw sessionErrors.required();
    const result = await verify(match[1]);
    if (!result.ok) throw result.problem === 'expired' ? sessionErrors.expired() : sessionErrors.invalid();
    const session = await standing(result.session);
    if (!session) throw sessionErrors.revoked();
    req.session = session;
    next();
  };
}

/** Every API route but sign-in needs a valid Bearer token; the tenant in it scopes every query. */
export function requireSession(tokens: SessionTokens): RequestHandler {
  return sessionMiddleware(
    (token) => tokens.verify(token),
    (session) => tokens.standing(session),
  );
}

/**
 * A valid Bearer token whose tenant the route itself proves alive: for the hot status read, whose
 * one query reads a row of a tenant-owned table (every `tenant_id` is `on delete cascade`, so such a
 * row exists only while its tenant does). Such a route must call `refuseUnlessTenantLive` before
 * answering anything but that row: a token of a removed tenant still gets 401, as everywhere else.
 */
export function requireSignedSession(tokens: SessionTokens): RequestHandler {
  return sessionMiddleware(
    (token) => tokens.verifySigned(token),
    (session) => tokens.standing(session),
  );
}

/** For routes behind `requireSignedSession` that found no tenant-owned row: is the tenant still there? */
export async function refuseUnlessTenantLive(tokens: SessionTokens, session: Session): Promise<void> {
  if (!(await tokens.tenantIsLive(session.tenantId))) throw sessionErrors.invalid();
}

export function requireRole(needed: Role): RequestHandler {
  return (req, _res, next) => {
    assertRole(req, needed);
    next();
  };
}

/** requireRole for a route whose needed role depends on the request (checked once it is parsed). */
export function assertRole(req: { session?: Session }, needed: Role): void {
  const session = req.session;
  if (!session) throw sessionErrors.required();
  if (!roleAtLeast(session.role, needed)) {
    throw new AppError(
      403,
      'forbidden_role',
      `This needs the ${needed} role; you are signed in as ${session.role}`,
      {
        hint: 'Ask a Ledgerpod admin to map your ConnectWise security role to a role with this permission.',
      },
    );
  }
}

/** The session of a request that passed requireSession. */
export function sessionOf(req: { session?: Session }): Session {
  if (!req.session) throw sessionErrors.required();
  return req.session;
}
