import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import { AppError } from '../shared/errors.js';
import { addTenant } from '../tenants/add-tenant.js';
import type { FrameOrigins } from '../tenants/frame-origins.js';
import { listTenants } from '../tenants/tenant-store.js';
import { parseInput } from './validate.js';

const tenantBody = z.object({
  name: z.string(),
  site: z.string(),
  company: z.string(),
  publicKey: z.string(),
  privateKey: z.string(),
  clientId: z.string(),
  apiUrl: z.string().optional(),
  check: z.boolean().default(false),
});

const statusOf: Record<string, number> = { invalid_input: 400, duplicate_tenant: 409, check_failed: 422 };

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The operator's API (whoever runs this Ledgerpod, not a ConnectWise member): adding a tenant as
 * `npm run tenant:add` does. Enabled only when OPERATOR_TOKEN is set; compared in constant time.
 */
export function operatorRoutes(deps: {
  db: Db;
  box: SecretBox;
  operatorToken: string | undefined;
  publicUrl: () => string;
  frameOrigins: FrameOrigins;
}): Router {
  const router = Router();
  router.use('/api/v1/operator', (req, _res, next) => {
    const expected = deps.operatorToken;
    if (!expected)
      throw new AppError(404, 'not_found', `No route for ${req.method} ${req.originalUrl}`, {
        hint: 'The operator API is off: set OPERATOR_TOKEN to enable it.',
      });
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (!timingSafeEqual(digest(given), digest(expected))) {
      throw new AppError(401, 'operator_token_invalid', 'The operator token is missing or wrong', {
        hint: 'Send Authorization: Bearer <OPERATOR_TOKEN>.',
      });
    }
    next();
  });

  router.post('/api/v1/operator/tenants', async (req, res) => {
    const body = parseInput(tenantBody, req.body);
    const result = await addTenant({ db: deps.db, box: deps.box, publicUrl: deps.publicUrl() }, body);
    if (!result.ok) {
      const { code, what, why, fix } = result.error;
      throw new AppError(statusOf[code] ?? 400, code, what, { hint: fix, details: { why } });
    }
    await deps.frameOrigins.refresh();
    res.status(201).json(result.added);
  });

  router.get('/api/v1/operator/tenants', async (_req, res) => {
    const tenants = await listTenants(deps.db);
    res.json({
      tenants: tenants.map((t) => ({
        id: t.id,
        name: t.name,
        site: t.cw_site,
        companyId: t.cw_company_id,
        createdAt: new Date(t.created_at).toISOString(),
      })),
    });
  });
  return router;
}
