import { type Request, Router } from 'express';
import { z } from 'zod';
import { type Spend, tooManyUnproven, type UnauthenticatedBudget } from '../auth/unauthenticated-budget.js';
import { ConnectWiseError, verifyCallbackSignature } from '../connectwise/index.js';
import type { Db } from '../db/database.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { kickCallbackDrain, storeCallback } from '../pipeline/callback-inbox.js';
import { AppError } from '../shared/errors.js';
import type { TenantConnectWise } from '../tenants/tenant-connectwise.js';
import type { TenantStore } from '../tenants/tenant-store.js';

const callbackSchema = z.object({
  MessageId: z.string().min(1).max(200),
  Action: z.string().max(50),
  Type: z.string().max(100),
  ID: z.coerce.number().int().positive(),
  Metadata: z.object({ key_url: z.string().min(1).max(2000) }),
});

const keyCacheMs = 60 * 60_000;
/** Signing keys kept per process: a fresh key_url per delivery (as the simulator does) stays bounded. */
const keyCacheSize = 2_000;
/** How long a key_url that failed to serve a key is answered from the cache (refused). */
const failedKeyMs = 5 * 60_000;

interface KeyEntry {
  key: Promise<string>;
  until: number;
  /** The unproven budget the fetch spent, given back once a callback signed with the key matches. */
  spend?: Spend;
}

/** The signature CW sends: base64 of an HMAC-SHA256, 32 bytes. Anything else is refused unfetched. */
const looksSigned = (header: string | string[] | undefined) => {
  const value = (Array.isArray(header) ? header[0] : header)?.trim() ?? '';
  return /^[A-Za-z0-9+/]{43}=$/.test(value);
};

const untrustedKeyUrl = () =>
  new AppError(
    401,
    'callback_untrusted_key_url',
    'The callback names a signing key outside this tenant’s ConnectWise',
    {
      hint: 'Callbacks are only accepted with keys served by the tenant’s own ConnectWise API host.',
    },
  );
/**
 * How long a callback may take to be verified and stored before it is answered 429 instead.
 * ConnectWise waits 5 s, never retries after a 5xx, but retries after a 429 (+2 s, +4 s), and
 * disables a callback that fails for 3 days (domain.md §8): so our own slowness (a busy database, a
 * slow key fetch) is answered with the one status that brings the callback back, in time.
 */
export const callbackAnswerMs = 3_000;

const notStoredInTime = () =>
  new AppError(429, 'callback_not_stored', 'The callback could not be stored in time', {
    hint: 'ConnectWise retries a callback answered 429; a retry of a stored one is answered as a replay.',
    // CW's own retry schedule is +2 s, +4 s (domain.md §8); the header says the same.
    details: { retryAfterSeconds: 2 },
  });

/**
 * The answer once `work` settles, or 'late' after `ms`. A failure that is ours (the database, a key
 * fetch that broke) is 'late' too: ConnectWise would drop a callback answered 5xx. A 4xx verdict on
 * the callback itself stands.
 */
async function answerWithin<T>(ms: number, work: Promise<T>): Promise<T | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    return await Promise.race([work, late]);
  } catch (error) {
    if (error instanceof AppError && error.status < 500) throw error;
    return 'late';
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}

const signatureInvalid = () =>
  new AppError(401, 'callback_signature_invalid', 'The callback signature does not match', {
    hint: 'Only ConnectWise, signing with the key at key_url, can send callbacks here.',
  });

/**
 * POST /webhooks/connectwise/:tenantId: ConnectWise callbacks. Verified by signature with a key
 * fetched only from the tenant's own CW host, stored with one insert (de-duplicated by MessageId),
 * answered once stored; the work (re-reading the record, and pushing it when sync-on-close is on)
 * happens in a job that drains the stored callbacks (callback-inbox.ts).
 *
 * A callback is anyone's until its signature matches, so what it can cost before that is bounded:
 * no signature of the right shape, no fetch; a key_url off the tenant's host, no fetch; each key
 * fetched once (concurrent callbacks naming it share the fetch) and kept, a bounded number of keys;
 * an uncached key spends the unproven budget (per source, per tenant), given back once the
 * signature matches, so ConnectWise's own callbacks never use it up.
 */
export function connectWiseWebhookRoutes(deps: {
  db: Db;
  jobs: JobQueue;
  tenants: TenantStore;
  connectWise: TenantConnectWise;
  unproven: UnauthenticatedBudget;
}): Router {
  const router = Router();
  // Insertion order is use order (re-set on a hit): the first entry is the least recently used.
  const keys = new Map<string, KeyEntry>();
  const remember = (cacheKey: string, entry: KeyEntry) => {
    keys.delete(cacheKey);
    keys.set(cacheKey, entry);
    while (keys.size > keyCacheSize) keys.delete(keys.keys().next().value as string);
  };

  /**
   * Verifies and stores one callback; what the route answers once that is done. Throws an AppError
   * with a 4xx for a callback that is not ConnectWise's (ConnectWise never sends one of those).
   */
  async function receive(
    req: Request,
  ): Promise<{ status: 'accepted' } | { status: 'ignored'; reason: 'replay' }> {
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
    if (!cw.isOwnUrl(keyUrl)) throw untrustedKeyUrl();
    if (!looksSigned(req.headers['x-content-signature'])) throw signatureInvalid();
    // Cached per tenant: a key fetched for one tenant's ConnectWise never vouches for another's.
    const cacheKey = `${tenant.id} ${keyUrl}`;
    let cached = keys.get(cacheKey);
    if (!cached || cached.until < Date.now()) {
      // In the cache before the first await, so callbacks arriving together share one fetch.
      const entry: KeyEntry = { until: Date.now() + keyCacheMs, key: Promise.resolve('') };
      entry.key = (async () => {
        const spend = await deps.unproven.spend('callback-key', tenant.id, req.ip ?? '');
        if (!spend.ok) {
          // Refused for this sender only: the next callback naming the key may try again.
          if (keys.get(cacheKey) === entry) keys.delete(cacheKey);
          throw tooManyUnproven('callbacks', spend.retryAfterSeconds);
        }
        entry.spend = spend;
        try {
          return await cw.fetchSigningKey(keyUrl);
        } catch (error) {
          // A key_url that serves no key is not asked again for a while, nor kept forever.
          entry.until = Math.min(entry.until, Date.now() + failedKeyMs);
          throw error;
        }
      })();
      entry.key.catch(() => undefined);
      cached = entry;
    }
    remember(cacheKey, cached);
    let signingKey: string;
    try {
      signingKey = await cached.key;
    } catch (error) {
      if (error instanceof ConnectWiseError && error.code === 'cw_untrusted_url') throw untrustedKeyUrl();
      if (error instanceof ConnectWiseError && error.code === 'cw_not_found') throw signatureInvalid();
      throw error;
    }
    if (!verifyCallbackSignature(req.rawBody, req.headers['x-content-signature'], signingKey)) {
      throw signatureInvalid();
    }
    // The key proved real: its fetch was ConnectWise's own work, not an attacker's. Not awaited: the
    // allowance coming back a moment later is harmless, the answer waiting on it is not.
    if (cached.spend?.ok) void cached.spend.giveBack().catch(() => undefined);
    const stored = await storeCallback(deps.db, {
      tenantId: tenant.id,
      messageId: callback.MessageId,
      type: callback.Type,
      action: callback.Action,
      entityId: callback.ID,
    });
    return stored === 'stored' ? { status: 'accepted' } : { status: 'ignored', reason: 'replay' };
  }

  router.post('/webhooks/connectwise/:tenantId', async (req, res) => {
    const answer = await answerWithin(callbackAnswerMs, receive(req));
    if (answer === 'late') throw notStoredInTime();
    res.json(answer);
    // The work runs in a job, kicked after the answer so the answer never waits for the job queue;
    // a kick lost here is made up by the inbox's minute schedule.
    if (answer.status === 'accepted') void kickCallbackDrain(deps.jobs).catch(() => undefined);
  });
  return router;
}
