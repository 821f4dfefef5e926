import { Router } from 'express';
import { z } from 'zod';
import { ConnectWiseError, verifyCallbackSignature } from '../connectwise/index.js';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { queues, type RefreshRecordJob, recordSingletonKey } from '../sync/queues.js';
import type { TenantConnectWise } from '../tenants/tenant-connectwise.js';
import type { TenantStore } from '../tenants/tenant-store.js';

const callbackSchema = z.object({
  MessageId: z.string().min(1).max(200),
  Action: z.string(),
  Type: z.string(),
  ID: z.coerce.number().int().positive(),
  Metadata: z.object({ key_url: z.string().min(1).max(2000) }),
});

const keyCacheMs = 60 * 60_000;

/**
 * POST /webhooks/connectwise/:tenantId: ConnectWise callbacks. Verified by signature with a key
 * fetched only from the tenant's own CW host, de-duplicated by MessageId, answered at once; the
 * work (re-reading the record, and pushing it when sync-on-close is on) happens in a job.
 */
export function connectWiseWebhookRoutes(deps: {
  db: Db;
  jobs: JobQueue;
  tenants: TenantStore;
  connectWise: TenantConnectWise;
}): Router {
  const router = Router();
  const keys = new Map<string, { key: string; until: number }>();

  router.post('/webhooks/connectwise/:tenantId', async (req, res) => {
    const tenant = await deps.tenants.get(String(req.params.tenantId));
    if (!tenant) throw new AppError(404, 'not_found', 'No such callback endpoint');
    const body = callbackSchema.safeParse(req.body);
    if (!body.success || !req.rawBody) {
      throw new AppError(400, 'invalid_callback', 'The callback body is not a ConnectWise callback', {
        hint: 'ConnectWise sends {MessageId, Action, Type, ID, Entity, Metadata:{key_url}}.',
      });
    }
    const callback = body.data;
    const cw = deps.connectWise.for(tenant);
    const keyUrl = callback.Metadata.key_url;
    // Cached per tenant: a key fetched for one tenant's ConnectWise never vouches for another's.
    const cacheKey = `${tenant.id} ${keyUrl}`;
    let signingKey = keys.get(cacheKey);
    if (!signingKey || signingKey.until < Date.now()) {
      try {
        signingKey = { key: await cw.fetchSigningKey(keyUrl), until: Date.now() + keyCacheMs };
      } catch (error) {
        if (error instanceof ConnectWiseError && error.code === 'cw_untrusted_url') {
          throw new AppError(
            401,
            'callback_untrusted_key_url',
            'The callback names a signing key outside this tenant’s ConnectWise',
            {
              hint: 'Callbacks are only accepted with keys served by the tenant’s own ConnectWise API host.',
            },
          );
        }
        throw error;
      }
      keys.set(cacheKey, signingKey);
    }
    if (!verifyCallbackSignature(req.rawBody, req.headers['x-content-signature'], signingKey.key)) {
      throw new AppError(401, 'callback_signature_invalid', 'The callback signature does not match', {
        hint: 'Only ConnectWise, signing with the key at key_url, can send callbacks here.',
      });
    }
    const fresh = await deps.db
      .insertInto('webhook_events')
      .values({
        provider: 'connectwise',
        event_id: `${tenant.id}:${callback.MessageId}`,
        tenant_id: tenant.id,
      })
      .onConflict((oc) => oc.doNothing())
      .returning('event_id')
      .executeTakeFirst();
    if (!fresh) {
      res.json({ status: 'ignored', reason: 'replay' });
      return;
    }
    if (callback.Type.toLowerCase() === 'invoice' && callback.Action !== 'deleted') {
      const job: RefreshRecordJob = {
        tenantId: tenant.id,
        type: 'invoice',
        cwId: callback.ID,
        reason: 'callback',
        syncIfClosed: deps.tenants.settingsOf(tenant).syncOnClose,
      };
      await deps.jobs.send(queues.refreshRecord, job, { singletonKey: recordSingletonKey(job) });
    }
    res.json({ status: 'accepted' });
  });
  return router;
}
