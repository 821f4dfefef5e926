import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { Router } from 'express';
import { ledgerShortLabels } from '../../contract/ledger-kinds.js';
import type { Db } from '../db/database.js';
import type { LedgerKind } from '../db/schema.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { LedgerEvent } from '../ledgers/provider.js';
import { ledgerProviders } from '../ledgers/providers.js';
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

/**
 * Webhooks from each ledger provider (`/webhooks/<kind>`, its entry's `webhook`): verified by
 * signature, de-duplicated, answered at once.
 * Each event naming an invoice, payment or credit has a targeted read of what it names queued
 * (QBO: the payment; Xero, which sends no payment events: the invoice's payments); an event without
 * an entity id has its connection swept. Each connection named is stamped: a connection whose
 * webhooks fall silent while documents are open is checked in full (payments-schedule.ts).
 */
export function ledgerWebhookRoutes(deps: { db: Db; jobs: JobQueue; config: Config }): Router {
  const router = Router();

  async function handle(provider: LedgerKind, events: LedgerEvent[]): Promise<void> {
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

  for (const { kind, webhook } of ledgerProviders) {
    const name = ledgerShortLabels[kind];
    const { answers } = webhook;
    if (answers.kind === 'json') {
      router.post(`/webhooks/${kind}`, async (req, res) => {
        const secret = webhook.secretOf(deps.config);
        if (!secret)
          throw new AppError(404, 'not_found', `${name} webhooks are not configured here`, {
            hint: `Set ${answers.secretEnv}.`,
          });
        if (!signatureMatches(req.rawBody, req.headers[webhook.signatureHeader], secret)) {
          throw new AppError(
            401,
            'webhook_signature_invalid',
            `The ${webhook.signatureHeader} does not match`,
            {
              hint: answers.signerHint,
            },
          );
        }
        const read = webhook.eventsOf(req.body);
        if (!read) {
          throw new AppError(400, 'invalid_webhook', `Not a ${name} webhook payload`, {
            hint: answers.payloadHint,
          });
        }
        await handle(kind, read.events);
        res.json({
          status: 'accepted',
          events: read.events.length,
          ...(read.skipped > 0 ? { skipped: read.skipped } : {}),
        });
      });
      continue;
    }
    // Xero's "intent to receive" sends correctly and wrongly signed deliveries: 200 with an empty
    // body for the first, 401 with an empty body for the second. The body is read as bytes here,
    // after the signature check, so a forgery never reaches JSON.
    router.post(`/webhooks/${kind}`, express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
      const secret = webhook.secretOf(deps.config);
      const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
      if (!secret || !signatureMatches(raw, req.headers[webhook.signatureHeader], secret)) {
        res.status(401).end();
        return;
      }
      const read = webhook.eventsOf(raw);
      if (read) await handle(kind, read.events);
      res.status(200).end();
    });
  }
  return router;
}
