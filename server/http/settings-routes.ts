import { Router } from 'express';
import { z } from 'zod';
import type { CwLocation, SecurityRole, Settings } from '../../contract/admin.js';
import { requireRole, requireSession, sessionOf } from '../auth/require-session.js';
import { roleForSecurityRole } from '../auth/roles.js';
import type { SessionTokens } from '../auth/session-token.js';
import { AppError } from '../shared/errors.js';
import type { TenantConnectWise } from '../tenants/tenant-connectwise.js';
import { type TenantSettings, type TenantStore, tenantSettingsSchema } from '../tenants/tenant-store.js';
import { outside } from './mapping-routes.js';
import { parseInput } from './validate.js';

// Defaults are left out on purpose: a patch that omits a field must leave it as it is.
const fields = tenantSettingsSchema.shape;
const patchSchema = z
  .object({
    roleMap: fields.roleMap.unwrap().optional(),
    syncOnClose: fields.syncOnClose.unwrap().optional(),
    syncWhenFixed: fields.syncWhenFixed.unwrap().optional(),
    sweepMinutes: fields.sweepMinutes
      .unwrap()
      .max(24 * 60)
      .optional(),
    batchPrefix: fields.batchPrefix.unwrap().optional(),
    roundingLimit: fields.roundingLimit.unwrap().optional(),
    cwPaymentsPerInvoice: fields.cwPaymentsPerInvoice.unwrap().optional(),
  })
  .strict();

/**
 * GET (accountant, admin) and PUT (admin) /api/v1/settings: the tenant's settings; GET
 * /api/v1/settings/security-roles (admin): the CW security roles the role map can name; GET
 * /api/v1/settings/locations (admin): the CW locations a connection's routing can name.
 */
export function settingsRoutes(deps: {
  sessionTokens: SessionTokens;
  tenants: TenantStore;
  connectWise: TenantConnectWise;
}): Router {
  const router = Router();
  const session = requireSession(deps.sessionTokens);

  const tenantOf = async (tenantId: string) => {
    const tenant = await deps.tenants.get(tenantId);
    if (!tenant) throw new AppError(401, 'session_invalid', 'Your company is no longer registered');
    return tenant;
  };
  const settingsOf = async (tenantId: string): Promise<TenantSettings> =>
    deps.tenants.settingsOf(await tenantOf(tenantId));

  router.get('/api/v1/settings/security-roles', session, requireRole('admin'), async (req, res) => {
    const tenant = await tenantOf(sessionOf(req).tenantId);
    const roles = await outside(() => deps.connectWise.for(tenant).listSecurityRoles('inactiveFlag=false'));
    res.json({
      roles: roles
        .map((r) => ({
          id: r.id,
          name: r.name,
          // What a member with this role gets while the role map leaves it out.
          defaultRole: roleForSecurityRole(r.name, { roleMap: {} }) ?? ('none' as const),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    } satisfies { roles: SecurityRole[] });
  });

  // The CW locations a ledger connection's routing can name, as CW lists them.
  router.get('/api/v1/settings/locations', session, requireRole('admin'), async (req, res) => {
    const tenant = await tenantOf(sessionOf(req).tenantId);
    const locations = await outside(() => deps.connectWise.for(tenant).listLocations());
    res.json({
      locations: locations
        .map((l) => ({ id: l.id, name: l.name }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    } satisfies { locations: CwLocation[] });
  });

  router.get('/api/v1/settings', session, requireRole('accountant'), async (req, res) => {
    res.json({ settings: await settingsOf(sessionOf(req).tenantId) } satisfies { settings: Settings });
  });

  router.put('/api/v1/settings', session, requireRole('admin'), async (req, res) => {
    const { tenantId } = sessionOf(req);
    const patch = parseInput(patchSchema, req.body);
    await settingsOf(tenantId);
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    res.json({ settings: await deps.tenants.updateSettings(tenantId, defined) } satisfies {
      settings: Settings;
    });
  });

  return router;
}
