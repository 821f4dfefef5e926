import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import type { Connection } from '../../contract/admin.js';
import { ledgerKinds } from '../../contract/ledger-kinds.js';
import { requireRole, requireSession, sessionOf } from '../auth/require-session.js';
import type { SessionTokens } from '../auth/session-token.js';
import type { LedgerConnection } from '../db/schema.js';
import { type ConnectionStore, summarise } from '../ledgers/connections/connection-store.js';
import { providerOf } from '../ledgers/providers.js';
import { AppError } from '../shared/errors.js';
import { type ConnectFlowDeps, connectOAuth } from './oauth-callback-routes.js';
import { parseInput } from './validate.js';

const kindParams = z.object({ kind: z.enum(ledgerKinds) });
const routingBody = z.object({
  // CW ids are 32-bit; a larger one names no location and would not fit the integer[] column.
  cwLocationIds: z
    .array(
      z
        .number()
        .int()
        .positive()
        .max(2 ** 31 - 1),
    )
    .max(500),
  isDefault: z.boolean(),
});

export const connectionNotFound = () =>
  new AppError(404, 'connection_not_found', 'No such ledger connection in your company', {
    hint: 'Reload the admin tab: the connection may have been removed.',
  });

/** The connection of the session's tenant, or 404 (another tenant's id looks the same as none). */
export async function connectionOfTenant(
  store: ConnectionStore,
  tenantId: string,
  id: string,
): Promise<LedgerConnection> {
  const connection = await store.get(tenantId, id);
  if (!connection) throw connectionNotFound();
  return connection;
}

/** Admin routes to connect, list, route and disconnect the ledgers (ledgers/providers.ts). */
export function connectionRoutes(deps: ConnectFlowDeps & { sessionTokens: SessionTokens }): Router {
  const router = Router();
  const admin: RequestHandler[] = [requireSession(deps.sessionTokens), requireRole('admin')];

  router.post('/api/v1/connections/:kind/authorize', ...admin, async (req, res) => {
    const { kind } = parseInput(kindParams, req.params, 'path');
    const session = sessionOf(req);
    providerOf(deps.providers, kind);
    const state = await deps.states.issue({ tenantId: session.tenantId, memberId: session.memberId, kind });
    // Not the provider's URL: the popup opens our start page, which takes `ticket` from this pod
    // (postMessage, same origin) and binds the consent to this browser with a cookie, so a consent
    // link finished anywhere else is refused at the callback (consent phishing).
    const origin = deps.publicUrl ?? `${req.protocol}://${req.get('host')}`;
    res.json({
      url: `${origin.replace(/\/+$/, '')}/oauth/${kind}/start`,
      ticket: await deps.states.ticketFor(state, kind),
    });
  });

  router.get('/api/v1/connections', ...admin, async (req, res) => {
    const connections = await deps.connections.list(sessionOf(req).tenantId);
    res.json({ connections: connections.map(summarise) } satisfies { connections: Connection[] });
  });

  router.put('/api/v1/connections/:id/routing', ...admin, async (req, res) => {
    const { tenantId } = sessionOf(req);
    const routing = parseInput(routingBody, req.body);
    const connection = await connectionOfTenant(deps.connections, tenantId, req.params.id as string);
    if (connection.status === 'disconnected')
      throw new AppError(409, 'connection_disconnected', 'A disconnected connection receives no records', {
        hint: 'Connect the company again first, then set its routing.',
      });
    await deps.connections.setRouting(tenantId, connection.id, routing);
    res.json({
      connection: summarise((await deps.connections.get(tenantId, connection.id))!),
    } satisfies { connection: Connection });
  });

  router.delete('/api/v1/connections/:id', ...admin, async (req, res) => {
    const { tenantId } = sessionOf(req);
    const connection = await connectionOfTenant(deps.connections, tenantId, req.params.id as string);
    if (connection.status !== 'disconnected') {
      // Best effort: the provider may already have forgotten the grant; we disconnect regardless.
      const oauth = connectOAuth(deps, req, connection.kind);
      try {
        if (oauth) await oauth.revoke(deps.connections.tokensOf(connection).refreshToken);
      } catch (error) {
        req.log?.warn({ err: error, connectionId: connection.id }, 'revoking at the provider failed');
      }
      await deps.connections.disconnect(tenantId, connection.id);
    }
    res.json({
      connection: summarise((await deps.connections.get(tenantId, connection.id))!),
    } satisfies { connection: Connection });
  });

  return router;
}
