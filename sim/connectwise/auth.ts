import type { Request, RequestHandler } from 'express';
import { sendCwError } from './errors.js';
import type { ConnectWiseState, IssuedMemberHash } from './state.js';

/**
 * CW's two ways in: integration API keys (Basic auth, `{companyId}+{publicKey}:{privateKey}`) and a
 * signed-in member's cookies, which CW accepts only on a few member endpoints such as myMembers/info.
 * Both require the clientId header.
 */
export function authMiddleware(state: ConnectWiseState): RequestHandler {
  return (req, res, next) => {
    if (!req.get('clientId')) {
      sendCwError(res, 400, 'InvalidObject', 'clientId is required in the request header');
      return;
    }
    const authorization = req.get('authorization');
    if (authorization) {
      if (apiKeyValid(state, authorization)) return next();
      sendCwError(res, 401, 'Unauthorized', 'Authentication failed: invalid API member credentials');
      return;
    }
    if (req.get('cookie') && cookieAllowed(req)) {
      const issued = memberFromCookie(state, req);
      if (issued) {
        res.locals.member = issued;
        return next();
      }
      sendCwError(res, 401, 'Unauthorized', 'Authentication failed: member session is not valid');
      return;
    }
    sendCwError(res, 401, 'Unauthorized', 'Authentication failed: no credentials supplied');
  };
}

const cookieRoutes = [/\/system\/mymembers\/info$/i];
const cookieAllowed = (req: Request) => cookieRoutes.some((route) => route.test(req.path));

function apiKeyValid(state: ConnectWiseState, authorization: string): boolean {
  const [scheme, encoded] = authorization.split(' ');
  if (scheme?.toLowerCase() !== 'basic' || !encoded) return false;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const user = decoded.slice(0, colon);
  const plus = user.indexOf('+');
  if (plus < 0) return false;
  const key = state.apiKeys.get(`${user.slice(0, plus).toLowerCase()}${user.slice(plus)}`);
  return key?.privateKey === decoded.slice(colon + 1);
}

export function parseCookies(header: string): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return cookies;
}

function memberFromCookie(state: ConnectWiseState, req: Request): IssuedMemberHash | undefined {
  const cookies = parseCookies(req.get('cookie') ?? '');
  const issued = cookies.memberHash ? state.memberHashes.get(cookies.memberHash) : undefined;
  if (!issued) return undefined;
  // Switch memberContext (state.ts): whether CW's cookie check needs memberContext is not published;
  // under 'required' a cookie must carry the memberContext issued, the others ignore it.
  const contextMatches =
    state.behaviours.memberContext !== 'required' || cookies.memberContext === issued.memberContext;
  const matches =
    cookies.companyName?.toLowerCase() === issued.companyId.toLowerCase() &&
    cookies.memberId?.toLowerCase() === issued.memberId.toLowerCase() &&
    contextMatches;
  return matches ? issued : undefined;
}
