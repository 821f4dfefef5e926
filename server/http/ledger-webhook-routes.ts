import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { requestPaymentsEvent, requestPaymentsSweep } from '../payments/payment-jobs.js';
import type { Config } from '../shared/config.js';
import { AppError } from '../shared/errors.js';

/** base64(HMAC-SHA256(secret, raw body)), compared in constant time. */
export function signatureMatches(rawBody: Buffer | undefined, header: unknown, secret: string): boolean {
  if (!rawBody || typeof header !== 'string' || header.length === 0) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(header, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** One CloudEvent (the array's element); checked one by one so a bad one refuses only itself. */
const qboCloudEvent = z
  .object({
    id: z.string().min(1),
    type: z.string(),
    intuitaccountid: z.string().min(1),
    intuitentityid: z.string().optional(),
  })
  .loose();
/** One legacy notification's change: `{eventNotifications:[{realmId, dataChangeEvent:{entities}}]}`. */
const qboLegacyNotification = z.object({ realmId: z.string().min(1), dataChangeEvent: z.unknown() }).loose();
const qboLegacyEntity = z
  .object({
    name: z.string(),
    id: z.string(),
    operation: z.string(),
    lastUpdated: z.string().optional(),
  })
  .loose();

const isQboEnvelope = (body: unknown) =>
  Array.isArray(body) ||
  (typeof body === 'object' &&
    body !== null &&
    Array.isArray((body as { eventNotifications?: unknown }).eventNotifications));

/**
 * The events of a QBO webhook, CloudEvents or legacy. Pure. Each event is read on its own: one
 * malformed event is skipped (and counted) instead of refusing the batch, since Intuit retries a
 * refused delivery whole and the good events in it would wait with the bad one.
 */
export function qboEventsOf(body: unknown): { events: LedgerEvent[]; skipped: number } {
  const events: LedgerEvent[] = [];
  let skipped = 0;
  if (Array.isArray(body)) {
    for (const item of body) {
      const event = qboCloudEvent.safeParse(item);
      if (!event.success) {
        skipped += 1;
        continue;
      }
      // `qbo.payment.created.v1` (Intuit's CloudEvents sample: qbo.account.created.v1): the entity
      // and what happened to it; the id is `intuitentityid`.
      const [, name, verb] = /^qbo\.([a-z]+)\.([a-z]+)\.v\d+$/i.exec(event.data.type) ?? [];
      events.push({
        id: event.data.id,
        externalId: event.data.intuitaccountid,
        entity: name ?? event.data.type,
        ...(event.data.intuitentityid && verb
          ? { entityId: event.data.intuitentityid, operation: qboOperations[verb.toLowerCase()] ?? verb }
          : {}),
      });
    }
    return { events, skipped };
  }
  const notifications = (body as { eventNotifications?: unknown } | null)?.eventNotifications;
  if (!Array.isArray(notifications)) return { events, skipped };
  for (const item of notifications) {
    const notification = qboLegacyNotification.safeParse(item);
    const entities = (notification.data?.dataChangeEvent as { entities?: unknown } | undefined)?.entities;
    if (!notification.success || !Array.isArray(entities)) {
      skipped += 1;
      continue;
    }
    for (const raw of entities) {
      const e = qboLegacyEntity.safeParse(raw);
      if (!e.success) {
        skipped += 1;
        continue;
      }
      const { realmId } = notification.data;
      events.push({
        id: `${realmId}:${e.data.name}:${e.data.id}:${e.data.operation}:${e.data.lastUpdated ?? ''}`,
        externalId: realmId,
        entity: e.data.name,
        entityId: e.data.id,
        operation: e.data.operation,
      });
    }
  }
  return { events, skipped };
}
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
  /** The entity's id and what happened to it; without them the connection is swept instead. */
  entityId?: string;
  operation?: string;
}

/** CloudEvents verbs as the legacy payload's operations (Create, Update, Delete, Merge, Void). */
const qboOperations: Record<string, string> = {
  created: 'Create',
  updated: 'Update',
  deleted: 'Delete',
  merged: 'Merge',
  voided: 'Void',
};

/**
 * Webhooks from QuickBooks Online and Xero: verified by signature, de-duplicated, answered at once.
 * Each event naming an invoice, payment or credit has a targeted read of what it names queued
 * (QBO: the payment; Xero, which sends no payment events: the invoice's payments); an event without
 * an entity id has its connection swept. Each connection named is stamped: a connection whose
 * webhooks fall silent while documents are open is checked in full (payments-schedule.ts).
 */
export function ledgerWebhookRoutes(deps: { db: Db; jobs: JobQueue; config: Config }): Router {
  const router = Router();

  async function handle(provider: 'qbo' | 'xero', events: LedgerEvent[]): Promise<void> {
    const sweeps = new Set<string>();
    const stamped = new Set<string>();
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
        if (!stamped.has(c.id)) {
          stamped.add(c.id);
          await deps.db
            .updateTable('ledger_connections')
            .set({ ledger_event_at: new Date() })
            .where('id', '=', c.id)
            .execute();
        }
        const target = { tenantId: c.tenant_id, connectionId: c.id };
        if (event.entityId && event.operation) {
          await requestPaymentsEvent(deps.jobs, {
            ...target,
            entity: event.entity,
            entityId: event.entityId,
            operation: event.operation,
          });
          continue;
        }
        if (sweeps.has(c.id)) continue;
        sweeps.add(c.id);
        await requestPaymentsSweep(deps.jobs, target);
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
    const { events, skipped } = qboEventsOf(req.body);
    if (events.length === 0 && skipped === 0 && !isQboEnvelope(req.body)) {
      throw new AppError(400, 'invalid_webhook', 'Not a QuickBooks webhook payload', {
        hint: 'Expected CloudEvents or eventNotifications.',
      });
    }
    await handle('qbo', events);
    res.json({ status: 'accepted', events: events.length, ...(skipped > 0 ? { skipped } : {}) });
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
          entityId: e.resourceId,
          operation: e.eventType,
        })),
      );
    }
    res.status(200).end();
  });
  return router;
}
