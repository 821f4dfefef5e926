import type { RequestHandler } from 'express';
import { bearerGrant } from './identity-routes.js';
import type { IdentityState } from './identity-state.js';
import type { TenantBooks } from './tenant-books.js';
import { sendForbidden } from './xero-errors.js';

/** Bearer token, then the organisation named by xero-tenant-id, which the app must be connected to. */
export function apiGuard(identity: IdentityState, tenants: Map<string, TenantBooks>): RequestHandler {
  return (req, res, next) => {
    const grant = bearerGrant(req, res, identity);
    if (!grant) return;
    const tenantId = req.get('xero-tenant-id') ?? '';
    const books = tenants.get(tenantId);
    if (!books || !identity.connectionFor(grant.clientId, tenantId)) {
      return sendForbidden(res, 'AuthorizationUnsuccessful');
    }
    res.locals.tenantId = tenantId;
    res.locals.books = books;
    next();
  };
}
