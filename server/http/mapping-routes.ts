import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import type { Mapping, MappingSet, Option } from '../../contract/admin.js';
import { requireRole, requireSession, sessionOf } from '../auth/require-session.js';
import type { SessionTokens } from '../auth/session-token.js';
import { glAccountChoices } from '../connectwise/gl-account-choices.js';
import { ConnectWiseError } from '../connectwise/index.js';
import type { Db } from '../db/database.js';
import type { ConnectionStore } from '../ledgers/connections/connection-store.js';
import type { Ledger, LedgerFactory, LedgerOption } from '../ledgers/ledger.js';
import { LedgerError } from '../ledgers/ledger-error.js';
import type { MappingKind } from '../records/mappings.js';
import { listMappingRows, saveMapping } from '../records/mappings.js';
import { storedErrorOf } from '../records/stored-error.js';
import { AppError } from '../shared/errors.js';
import type { TenantConnectWise } from '../tenants/tenant-connectwise.js';
import type { TenantStore } from '../tenants/tenant-store.js';
import { connectionOfTenant } from './connection-routes.js';
import { parseInput } from './validate.js';

export interface MappingRouteDeps {
  db: Db;
  sessionTokens: SessionTokens;
  tenants: TenantStore;
  connectWise: TenantConnectWise;
  connections: ConnectionStore;
  ledgers: LedgerFactory;
}

const mappingKinds = ['gl_account', 'tax_code', 'class', 'item', 'terms'] as const;
const listQuery = z.object({ connectionId: z.uuid() });
const optionsQuery = z.object({ connectionId: z.uuid(), kind: z.enum(mappingKinds) });
const putBody = z.object({
  connectionId: z.uuid(),
  kind: z.enum(mappingKinds),
  cwKey: z.string().trim().min(1).max(200),
  ledgerKey: z.string().trim().min(1).max(200),
});

/** Which ledger list a mapping kind picks from; a mapping must name an entry of it. */
const ledgerListOf: Record<MappingKind, ((ledger: Ledger) => Promise<LedgerOption[]>) | undefined> = {
  gl_account: (l) => l.listAccounts(),
  tax_code: (l) => l.listTaxCodes(),
  class: (l) => l.listClasses(),
  item: (l) => l.listItems(),
  terms: (l) => l.listTerms(),
};

/** A provider's refusal, as the admin should read it: the catalogue's code, message and hint. */
export async function outside<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof LedgerError) && !(error instanceof ConnectWiseError)) throw error;
    const stored = storedErrorOf(error);
    throw new AppError(502, stored.code, stored.message, { hint: stored.hint, cause: error });
  }
}

/**
 * GET/PUT /api/v1/mappings: CW GL accounts and tax codes against the ledger's lists; GET
 * /api/v1/mappings/options: one kind's ledger list. Admin only.
 */
export function mappingRoutes(deps: MappingRouteDeps): Router {
  const router = Router();
  const admin: RequestHandler[] = [requireSession(deps.sessionTokens), requireRole('admin')];

  const activeConnection = async (tenantId: string, id: string) => {
    const connection = await connectionOfTenant(deps.connections, tenantId, id);
    if (connection.status === 'disconnected')
      throw new AppError(409, 'connection_disconnected', 'This connection was disconnected', {
        hint: 'Connect the company again in the admin tab to edit its mappings.',
      });
    return connection;
  };

  router.get('/api/v1/mappings', ...admin, async (req, res) => {
    const { tenantId } = sessionOf(req);
    const { connectionId } = parseInput(listQuery, req.query, 'query');
    const connection = await activeConnection(tenantId, connectionId);
    const tenant = await deps.tenants.get(tenantId);
    if (!tenant) throw new AppError(401, 'session_invalid', 'Your company is no longer registered');
    const cw = deps.connectWise.for(tenant);
    const ledger = deps.ledgers.for(connection);
    const [rows, glAccounts, taxCodes, billingTerms, accounts, ledgerTaxCodes, classes, items, terms] =
      await Promise.all([
        listMappingRows(deps.db, tenantId, connection.id),
        outside(() => cw.listGlAccounts()),
        outside(() => cw.listTaxCodes()),
        outside(() => cw.listBillingTerms()),
        outside(() => ledger.listAccounts()),
        outside(() => ledger.listTaxCodes()),
        outside(() => ledger.listClasses()),
        outside(() => ledger.listItems()),
        outside(() => ledger.listTerms()),
      ]);
    const cwGlAccounts = glAccountChoices(glAccounts);
    res.json({
      mappings: rows.map((r) => ({
        kind: r.kind,
        cwKey: r.cw_key,
        ledgerKey: r.ledger_key,
        ledgerName: r.ledger_name,
      })),
      cw: {
        // The GL export names accounts by account number; tax codes by identifier. Items and
        // classes are chosen per CW GL account (server/pipeline/map/invoices-and-credits.ts keys them so), so
        // their editors list the GL accounts too.
        glAccounts: cwGlAccounts,
        taxCodes: taxCodes.map((t) => ({ key: t.identifier, name: t.description ?? t.identifier })),
        items: cwGlAccounts,
        classes: cwGlAccounts,
        // The GL export names an invoice's terms by billingTermsXref, the term's termsXref; a term
        // without one goes out under its name.
        terms: billingTerms.map((t) => ({ key: t.termsXref || t.name, name: t.name })),
      },
      ledger: { accounts, taxCodes: ledgerTaxCodes, classes, items, terms },
    } satisfies MappingSet);
  });

  // One kind's picker, from the ledger alone: for mapping a code where a failure names it.
  router.get('/api/v1/mappings/options', ...admin, async (req, res) => {
    const { tenantId } = sessionOf(req);
    const { connectionId, kind } = parseInput(optionsQuery, req.query, 'query');
    const connection = await activeConnection(tenantId, connectionId);
    const list = ledgerListOf[kind];
    res.json({
      options: list ? await outside(() => list(deps.ledgers.for(connection))) : [],
    } satisfies { options: Option[] });
  });

  router.put('/api/v1/mappings', ...admin, async (req, res) => {
    const { tenantId } = sessionOf(req);
    const body = parseInput(putBody, req.body);
    const connection = await activeConnection(tenantId, body.connectionId);
    const list = ledgerListOf[body.kind];
    let ledgerName = body.ledgerKey;
    if (list) {
      const options = await outside(() => list(deps.ledgers.for(connection)));
      const option = options.find((o) => o.key === body.ledgerKey);
      if (!option)
        throw new AppError(400, 'unknown_ledger_key', `"${body.ledgerKey}" is not in the ledger's list`, {
          hint: 'Pick an entry from the list; if it was just created in the ledger, reload the mappings screen.',
        });
      ledgerName = option.name;
    }
    const row = await saveMapping(deps.db, {
      tenantId,
      connectionId: connection.id,
      kind: body.kind,
      cwKey: body.cwKey,
      ledgerKey: body.ledgerKey,
      ledgerName,
    });
    res.json({
      mapping: { kind: row.kind, cwKey: row.cw_key, ledgerKey: row.ledger_key, ledgerName: row.ledger_name },
    } satisfies { mapping: Mapping });
  });

  return router;
}
