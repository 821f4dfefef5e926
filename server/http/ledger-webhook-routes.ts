import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { requestPaymentsSweep } from '../sync/payment-jobs.js';

/** base64(HMAC-SHA256(secret, raw body)), compared in constant time. */
export function signatureMatches(rawBody: Buffer | undefined, header: unknown, secret: string): boolean {
  if (!rawBody || typeof header !== 'string' || header.length === 0) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(header, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const qboCloudEvents = z.array(
  z
    .object({
      id: z.string().min(1),
      type: z.string(),
      intuitaccountid: z.string().min(1),
      intuitentityid: z.string().optional(),
    })
    .loose(),
);
const qboLegacy = z.object({
  eventNotifications: z.array(
    z.object({
      realmId: z.string().min(1),
      dataChangeEvent: z.object({
        entities: z.array(
          z
            .object({
              name: z.string(),
              id: z.string(),
              operation: z.string(),
              lastUpdated: z.string().optional(),
            })
            .loose(),
        ),
      }),
    }),
  ),
});
const xeroEvents = z.object({
  events: z.array(
    z
      .object({
        resourceId: z.string(),
        eventCategory: z.string(),
        eventType: z.string(),
        tenantId: z.string(),
        eventDateUtc: z.string().optional(),
      })
      .loose(),
  ),
});

const parseJson = (raw: Buffer | undefined): unknown => {
  try {
    return raw ? JSON.parse(raw.toString('utf8')) : undefined;
  } catch {
    return undefined;
  }
};

interface LedgerEvent {
  /** De-duplication key: the provider's event id, or what identifies the change. */
  id: string;
  externalId: string;
  entity: string;
}

/**
 * Webhooks from QuickBooks Online and Xero: verified by signature, de-duplicated, answered at once.
 * A change to an invoice or a payment triggers a payments sweep of that connection (Xero sends no
 * payment events; its invoice events and the minute poll cover payments).
 */
export function ledgerWebhookRoutes(deps: { db: Db; jobs: JobQueue; config: Config }): Router {
  const router = Router();

  async function handle(provider: 'qbo' | 'xero', events: LedgerEvent[]): Promise<void> {
    const sweeps = new Set<string>();
    for (const event of events) {
      const fresh = await deps.db
        .insertInto('webhook_events')
        .values({ provider, event_id: event.id })
        .onConflict((oc) => oc.doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (!fresh || !/invoice|payment|credit/i.test(event.entity)) continue;
      const connections = await deps.db
        .selectFrom('ledger_connections')
        .select(['id', 'tenant_id'])
        .where('kind', '=', provider)
        .where('external_id', '=', event.externalId)
        .where('status', '=', 'active')
        .execute();
      for (const c of connections) {
        if (sweeps.has(c.id)) continue;
        sweeps.add(c.id);
        await requestPaymentsSweep(deps.jobs, { tenantId: c.tenant_id, connectionId: c.id });
      }
    }
  }

  router.post('/webhooks/qbo', async (req, res) => {
    const verifier = deps.config.quickbooks?.webhookVerifier;
    if (!verifier)
      throw new AppError(404, 'not_found', 'QuickBooks webhooks are not configured here', {
        hint: 'Set QBO_WEBHOOK_VERIFIER.',
      });
    if (!signatureMatches(req.rawBody, req.headers['intuit-signature'], verifier)) {
      throw new AppError(401, 'webhook_signature_invalid', 'The intuit-signature does not match', {
        hint: 'Only Intuit, signing with this app’s verifier token, can send webhooks here.',
      });
    }
    const cloud = qboCloudEvents.safeParse(req.body);
    const legacy = cloud.success ? undefined : qboLegacy.safeParse(req.body);
    if (!cloud.success && !legacy?.success) {
      throw new AppError(400, 'invalid_webhook', 'Not a QuickBooks webhook payload', {
        hint: 'Expected CloudEvents or eventNotifications.',
      });
    }
    const events: LedgerEvent[] = cloud.success
      ? cloud.data.map((e) => ({ id: e.id, externalId: e.intuitaccountid, entity: e.type }))
      : legacy!.data!.eventNotifications.flatMap((n) =>
          n.dataChangeEvent.entities.map((e) => ({
            id: `${n.realmId}:${e.name}:${e.id}:${e.operation}:${e.lastUpdated ?? ''}`,
            externalId: n.realmId,
            entity: e.name,
          })),
        );
    await handle('qbo', events);
    res.json({ status: 'accepted', events: events.length });
  });

  // Xero's "intent to receive" sends correctly and wrongly signed deliveries: 200 with an empty
  // body for the first, 401 with an empty body for the second.
  router.post('/webhooks/xero', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const key = deps.config.xero?.webhookKey;
    const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
    if (!key || !signatureMatches(raw, req.headers['x-xero-signature'], key)) {
      res.status(401).end();
      return;
    }
    const body = xeroEvents.safeParse(parseJson(raw));
    if (body.success) {
      await handle(
        'xero',
        body.data.events.map((e) => ({
          id: `${e.tenantId}:${e.resourceId}:${e.eventType}:${e.eventDateUtc ?? ''}`,
          externalId: e.tenantId,
          entity: e.eventCategory,
        })),
      );
    }
    res.status(200).end();
  });
  return router;
}
