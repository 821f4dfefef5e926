import { z } from 'zod';
import type { LedgerEvent } from '../provider.js';

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
/** CloudEvents verbs as the legacy payload's operations (Create, Update, Delete, Merge, Void). */
const qboOperations: Record<string, string> = {
  created: 'Create',
  updated: 'Update',
  deleted: 'Delete',
  merged: 'Merge',
  voided: 'Void',
};

const isQboEnvelope = (body: unknown) =>
  Array.isArray(body) ||
  (typeof body === 'object' &&
    body !== null &&
    Array.isArray((body as { eventNotifications?: unknown }).eventNotifications));

/** The events of a QBO webhook; undefined for a body that is neither CloudEvents nor eventNotifications. */
export function quickbooksWebhookEventsOf(
  body: unknown,
): { events: LedgerEvent[]; skipped: number } | undefined {
  const read = qboEventsOf(body);
  if (read.events.length === 0 && read.skipped === 0 && !isQboEnvelope(body)) return undefined;
  return read;
}
