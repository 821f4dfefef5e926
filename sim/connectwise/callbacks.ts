import { randomBytes, randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { signCallback } from './callback-signature.js';
import { invalidObject, notFound } from './errors.js';
import { invoiceWire } from './invoice-wire.js';
import { applyPatch } from './json-patch.js';
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
    // Switch ownerObjectId (state.ts): unpublished whether CW refuses objectId 0 at owner level.
    if (
      state.behaviours.ownerObjectId === 'refuse-zero' &&
      parsed.data.level.toLowerCase() === 'owner' &&
      parsed.data.objectId === 0
    )
      throw invalidObject('CallbackEntry', 'objectId', 'objectId must be greater than 0');
    const entry: CallbackEntry = { id: state.nextId(), ...parsed.data };
    state.callbackEntries.set(entry.id, entry);
    res.status(201).json(entry);
  });
  router.patch('/system/callbacks/:id', (req, res) => {
    const entry = state.callbackEntries.get(idParam(req));
    if (!entry) throw notFound(`Callback ${req.params.id}`);
    const changed = { ...entry } as unknown as Record<string, unknown>;
    applyPatch(changed, req.body);
    const parsed = callbackBody.safeParse(changed);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalidObject('CallbackEntry', String(issue?.path[0] ?? ''), issue?.message ?? 'invalid');
    }
    if (entry.inactiveFlag && !parsed.data.inactiveFlag) {
      if (state.behaviours.callbackReactivate === 'recreate-only')
        throw invalidObject('CallbackEntry', 'inactiveFlag', 'a disabled callback cannot be re-activated');
      state.callbackFailingSince.delete(entry.id);
    }
    Object.assign(entry, parsed.data);
    res.json(entry);
  });
  router.delete('/system/callbacks/:id', (req, res) => {
    if (!state.callbackEntries.delete(idParam(req))) throw notFound(`Callback ${req.params.id}`);
    state.callbackFailingSince.delete(idParam(req));
    res.status(204).end();
  });
  return router;
}

/** Simulator controls for callbacks: not CW's API. */
export function callbackControlRoutes(state: ConnectWiseState): Router {
  const router = Router();
  router.post('/__sim/clock', (req, res) => {
    const body = z.object({ advanceMs: z.number().int().min(0) }).safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'expected {advanceMs}' });
      return;
    }
    state.clockOffsetMs += body.data.advanceMs;
    res.json({ now: new Date(state.now()).toISOString() });
  });
  router.post('/__sim/callbacks/network', (req, res) => {
    const body = z.object({ network: z.enum(['up', 'unreachable']) }).safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'expected {network: "up" | "unreachable"}' });
      return;
    }
    state.callbackNetwork = body.data.network;
    res.json({ network: state.callbackNetwork });
  });
  return router;
}

/**
 * CW's delivery rules (domain.md §8, from ConnectWise's callback documentation): a 5 s timeout;
 * retried only after 404, 409, 419 or 429, twice, 2 s then 4 s later; a 5xx, a timeout or no
 * connection is not retried; a callback whose deliveries have failed for 3 days is disabled.
 */
export const callbackTimeoutMs = 5_000;
const retriedStatuses = new Set([404, 409, 419, 429]);
export const callbackRetryDelaysMs = [2_000, 4_000];
export const callbackDisabledAfterMs = 3 * 86_400_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function postOnce(
  state: ConnectWiseState,
  url: string,
  body: string,
  signature: string,
): Promise<{ status: number | null; error?: string }> {
  if (state.callbackNetwork === 'unreachable')
    return { status: null, error: 'connect ECONNREFUSED (simulated outage)' };
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-content-signature': signature },
      body,
      signal: AbortSignal.timeout(callbackTimeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return { status: response.status };
  } catch (error) {
    return { status: null, error: String(error) };
  }
}

/** A failed delivery starts or continues the entry's run of failures; 3 days of it disables it. */
function countOutcome(state: ConnectWiseState, entry: CallbackEntry, ok: boolean): void {
  if (ok) {
    state.callbackFailingSince.delete(entry.id);
    return;
  }
  const since = state.callbackFailingSince.get(entry.id) ?? state.now();
  state.callbackFailingSince.set(entry.id, since);
  if (state.now() - since >= callbackDisabledAfterMs) entry.inactiveFlag = true;
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
        Entity: JSON.stringify(invoiceWire(invoice, state.behaviours.invoiceGlBatch)),
        Metadata: { key_url: `${origin}${apiBase}/system/callbackkeys/${keyId}` },
      });
      const delivery = {
        callbackId: entry.id,
        url: entry.url,
        action,
        entityId: invoice.id,
        status: null as number | null,
        attempts: 0,
      };
      state.deliveries.push(delivery);
      const signature = signCallback(body, signingKey);
      for (let attempt = 0; ; attempt++) {
        const outcome = await postOnce(state, entry.url, body, signature);
        delivery.attempts = attempt + 1;
        delivery.status = outcome.status;
        if (outcome.error) Object.assign(delivery, { error: outcome.error });
        const retryIn = callbackRetryDelaysMs[attempt];
        if (outcome.status === null || !retriedStatuses.has(outcome.status) || retryIn === undefined) break;
        await sleep(retryIn);
      }
      countOutcome(state, entry, delivery.status !== null && delivery.status >= 200 && delivery.status < 300);
    }),
  );
}
