import { z } from 'zod';
import type { LedgerEvent } from '../provider.js';

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

/**
 * The events of a Xero webhook, from its raw bytes (parsed only after the signature check). Xero
 * sends no payment events: an invoice's event has its payments read. Undefined for a body that is
 * not Xero's `{events: [...]}`.
 */
export function xeroEventsOf(raw: unknown): { events: LedgerEvent[]; skipped: number } | undefined {
  const body = xeroEvents.safeParse(parseJson(Buffer.isBuffer(raw) ? raw : undefined));
  if (!body.success) return undefined;
  return {
    events: body.data.events.map((e) => ({
      id: `${e.tenantId}:${e.resourceId}:${e.eventType}:${e.eventDateUtc ?? ''}`,
      externalId: e.tenantId,
      entity: e.eventCategory,
      entityId: e.resourceId,
      operation: e.eventType,
    })),
    skipped: 0,
  };
}
