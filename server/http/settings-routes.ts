import { Router } from 'express';
import { z } from 'zod';
import { requireRole, requireSession, sessionOf } from '../auth/require-session.js';
import type { SessionTokens } from '../auth/session-token.js';
import { AppError } from '../errors.js';
import { type TenantSettings, type TenantStore, tenantSettingsSchema } from '../tenants/tenant-store.js';
import { parseInput } from './validate.js';

// Defaults are left out on purpose: a patch that omits a field must leave it as it is.
const fields = tenantSettingsSchema.shape;
const patchSchema = z
  .object({
    roleMap: fields.roleMap.unwrap().optional(),
    syncOnClose: fields.syncOnClose.unwrap().optional(),
    sweepMinutes: fields.sweepMinutes
      .unwrap()
      .max(24 * 60)
      .optional(),
    batchPrefix: fields.batchPrefix.unwrap().optional(),
    roundingLimit: fields.roundingLimit.unwrap().optional(),
  })
  .strict();

/** GET (accountant, admin) and PUT (admin) /api/v1/settings: the tenant's settings. */
export function settingsRoutes(deps: { sessionTokens: SessionTokens; tenants: TenantStore }): Router {
  const router = Router();
  const session = requireSession(deps.sessionTokens);

  const settingsOf = async (tenantId: string): Promise<TenantSettings> => {
    const tenant = await deps.tenants.get(tenantId);
    if (!tenant) throw new AppError(401, 'session_invalid', 'Your company is no longer registered');
    return deps.tenants.settingsOf(tenant);
  };

  router.get('/api/v1/settings', session, requireRole('accountant'), async (req, res) => {
    res.json({ settings: await settingsOf(sessionOf(req).tenantId) });
  });

  router.put('/api/v1/settings', session, requireRole('admin'), async (req, res) => {
    const { tenantId } = sessionOf(req);
    const patch = parseInput(patchSchema, req.body);
    await settingsOf(tenantId);
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    res.json({ settings: await deps.tenants.updateSettings(tenantId, defined) });
  });

  return router;
}
