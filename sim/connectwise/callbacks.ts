import { randomBytes, randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { signCallback } from './callback-signature.js';
import { invalidObject, notFound } from './errors.js';
import { invoiceWire } from './invoice-wire.js';
import { idParam, sendPage } from './paging.js';
import type { InvoiceRecord } from './seed-schema.js';
import type { CallbackEntry, ConnectWiseState } from './state.js';

const callbackBody = z.object({
  description: z.string().default(''),
  url: z.string().url(),
  objectId: z.number().int().default(0),
  type: z.string().min(1),
  level: z.enum(['owner', 'status', 'company', 'invoice']).or(z.string()),
  memberId: z.number().int().nullable().default(null),
  payloadVersion: z.string().default('2.0'),
  inactiveFlag: z.boolean().default(false),
});

export const apiBase = '/v4_6_release/apis/3.0';

/** Callback registration (`/system/callbacks`) and the signing keys CW serves at each payload's key_url. */
export function callbackRoutes(state: ConnectWiseState): Router {
  const router = Router();
  router.get('/system/callbacks', (req, res) => sendPage(req, res, [...state.callbackEntries.values()]));
  router.get('/system/callbacks/:id', (req, res) => {
    const entry = state.callbackEntries.get(idParam(req));
    if (!entry) throw notFound(`Callback ${req.params.id}`);
    res.json(entry);
  });
  router.post('/system/callbacks', (req, res) => {
    const parsed = callbackBody.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalidObject('CallbackEntry', String(issue?.path[0] ?? ''), issue?.message ?? 'invalid');
    }
    const entry: CallbackEntry = { id: state.nextId(), ...parsed.data };
    state.callbackEntries.set(entry.id, entry);
    res.status(201).json(entry);
  });
  router.delete('/system/callbacks/:id', (req, res) => {
    if (!state.callbackEntries.delete(idParam(req))) throw notFound(`Callback ${req.params.id}`);
    res.status(204).end();
  });
  return router;
}

/** Served without API auth: CW's key_url is fetched by the receiver with no credentials. */
export function signingKeyRoutes(state: ConnectWiseState): Router {
  const router = Router();
  router.get(`${apiBase}/system/callbackkeys/:keyId`, (req, res) => {
    const key = state.signingKeys.get(String(req.params.keyId));
    if (!key) {
      res.status(404).json({ code: 'NotFound', message: 'signing key not found' });
      return;
    }
    res.json({ signing_key: key });
  });
  return router;
}

function matches(entry: CallbackEntry, invoice: InvoiceRecord): boolean {
  if (entry.inactiveFlag || entry.type.toLowerCase() !== 'invoice') return false;
  switch (entry.level.toLowerCase()) {
    case 'owner':
      return true;
    case 'company':
      return entry.objectId === invoice.company.id;
    case 'status':
      return entry.objectId === invoice.status.id;
    default:
      return entry.objectId === invoice.id;
  }
}

/**
 * Posts CW's callback payload to every matching registration. Each delivery gets a fresh signing key,
 * served at the payload's key_url on the simulator's own host.
 */
export async function deliverInvoiceCallbacks(
  state: ConnectWiseState,
  origin: string,
  invoice: InvoiceRecord,
  action: 'added' | 'updated' | 'deleted',
): Promise<void> {
  const deliveries = [...state.callbackEntries.values()].filter((entry) => matches(entry, invoice));
  await Promise.all(
    deliveries.map(async (entry) => {
      const keyId = randomUUID();
      const signingKey = randomBytes(32).toString('base64');
      state.signingKeys.set(keyId, signingKey);
      const body = JSON.stringify({
        MessageId: randomUUID(),
        FromUrl: origin.replace(/^https?:\/\//, ''),
        CompanyId: state.defaultCompanyId,
        MemberId: 'ledgerpod-sim',
        Action: action,
        Type: 'invoice',
        ID: invoice.id,
        // CW sends the entity as a JSON string inside the JSON payload.
        Entity: JSON.stringify(invoiceWire(invoice)),
        Metadata: { key_url: `${origin}${apiBase}/system/callbackkeys/${keyId}` },
      });
      const delivery = {
        callbackId: entry.id,
        url: entry.url,
        action,
        entityId: invoice.id,
        status: null as number | null,
      };
      state.deliveries.push(delivery);
      try {
        const response = await fetch(entry.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-content-signature': signCallback(body, signingKey),
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        delivery.status = response.status;
      } catch (error) {
        Object.assign(delivery, { error: String(error) });
      }
    }),
  );
}
