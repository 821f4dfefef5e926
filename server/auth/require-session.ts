import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';
import { type Role, roleAtLeast } from './roles.js';
import type { Session, SessionTokens } from './session-token.js';

declare module 'express-serve-static-core' {
  interface Request {
    session?: Session;
  }
}

/** Every API route but sign-in needs a valid Bearer token; the tenant in it scopes every query. */
export function requireSession(tokens: SessionTokens): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/.exec(header);
    if (!match?.[1]) {
      throw new AppError(401, 'session_required', 'This request needs a Ledgerpod session token', {
        hint: 'Open Ledgerpod from a ConnectWise screen; the pod signs in with your ConnectWise member.',
      });
    }
    const result = await tokens.verify(match[1]);
    if (!result.ok) {
      throw result.problem === 'expired'
        ? new AppError(401, 'session_expired', 'Your Ledgerpod session has expired', {
            hint: 'The pod renews it automatically; reload the ConnectWise screen if this persists.',
          })
        : new AppError(401, 'session_invalid', 'The session token is not valid', {
            hint: 'Reload the ConnectWise screen to sign in again.',
          });
    }
    req.session = result.session;
    next();
  };
}

export function requireRole(needed: Role): RequestHandler {
  return (req, _res, next) => {
    const session = req.session;
    if (!session) throw new AppError(401, 'session_required', 'This request needs a Ledgerpod session token');
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
    next();
  };
}

/** The session of a request that passed requireSession. */
export function sessionOf(req: { session?: Session }): Session {
  if (!req.session)
    throw new AppError(401, 'session_required', 'This request needs a Ledgerpod session token');
  return req.session;
}
