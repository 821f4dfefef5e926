import type { Request, Response } from 'express';
import type { TenantBooks, Wire } from './tenant-books.js';
import { arr, obj } from './tenant-books.js';
import type { WebhookSender } from './webhooks.js';
import type { MonotonicClock } from './wire-format.js';

/**
 * What `POST /Contacts` does with a ContactID that names no contact of the organisation. Xero's
 * Contacts reference says a POST with a ContactID updates that contact, and shows no answer for an
 * unknown one; nothing published settles it, so each plausible answer is a switch:
 * - `refuse`: a 400 ValidationException naming the contact, as Xero refuses other writes that name
 *   what it cannot find;
 * - `not-found`: a 404, as `GET /Contacts/{id}` answers an unknown id (a wrong ContactNumber there:
 *   XeroAPI/xero-php-oauth2#199);
 * - `create`: taken as a new contact under an id of Xero's own (an unmatched contact in a Contacts
 *   write was answered with a ContactID Xero made up: waynerobinson/xeroizer#380).
 */
export type UnknownContactId = 'refuse' | 'not-found' | 'create';

/**
 * Behaviours no published source settles, one switch each (the type beside the rule says what is
 * known); the product's tests run under each value. Set by XeroSimOptions or `POST /__sim/behaviour`.
 */
export interface XeroBehaviours {
  unknownContactId: UnknownContactId;
}

export const defaultXeroBehaviours = (): XeroBehaviours => ({ unknownContactId: 'refuse' });

/**
 * What every accounting route needs: the tenant picked by xero-tenant-id, a clock, the webhook
 * sender, the behaviour switches.
 */
export interface ApiContext {
  clock: MonotonicClock;
  webhooks: WebhookSender;
  behaviours: XeroBehaviours;
}

export const booksOf = (res: Response): TenantBooks => res.locals.books as TenantBooks;

/** Query values, whatever their case (the SDK sends `IDs`, `InvoiceNumbers`, `where`, `page`). */
export function queryOf(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(req.query)) {
    out[key.toLowerCase()] = Array.isArray(value)
      ? value.map(String).join(',')
      : value === undefined
        ? undefined
        : String(value);
  }
  return out;
}

export const listParam = (value: string | undefined): string[] | undefined =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);

/** A write body is `{Invoices:[...]}`, or a single entity for endpoints like PUT /Payments. */
export function elementsOf(body: unknown, collection: string): Wire[] {
  const wrapper = obj(body);
  return Array.isArray(wrapper[collection]) ? arr(wrapper[collection]) : [wrapper];
}
