import { Router } from 'express';
import { notFound } from '../errors.js';
import { countOf, idParam, sendPage } from '../paging.js';
import { withInfo } from '../setup-tables.js';
import type { ConnectWiseState } from '../state.js';

/**
 * Setup tables as CW serves them: a paged list with conditions, `/count` and `/{id}`. Paths follow
 * CW's spec (`/system/securityroles` in lower case there); Express matches paths case-insensitively,
 * as CW does.
 */
export function setupTableRoutes(state: ConnectWiseState): Router {
  const router = Router();
  const table = <T extends { id: number }>(path: string, what: string, rows: () => T[]) => {
    router.get(path, (req, res) => sendPage(req, res, rows().map(withInfo)));
    router.get(`${path}/count`, (req, res) => res.json(countOf(req, rows())));
    router.get(`${path}/:id`, (req, res) => {
      const id = idParam(req);
      const row = rows().find((r) => r.id === id);
      if (!row) throw notFound(`${what} ${id}`);
      res.json(withInfo(row));
    });
  };
  table('/finance/billingTerms', 'BillingTerm', () => state.billingTerms);
  table('/finance/billingStatuses', 'BillingStatus', () => state.billingStatuses);
  table('/system/securityroles', 'SecurityRole', () => state.securityRoles);
  table('/system/locations', 'Location', () => state.locations);
  return router;
}
