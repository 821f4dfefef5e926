import express, { type ErrorRequestHandler, type Express } from 'express';
import { z } from 'zod';
import { controlRoutes } from '../kit/control-routes.js';
import { FaultBook } from '../kit/faults.js';
import { listen, type RunningSim } from '../kit/listen.js';
import { Traffic } from '../kit/traffic.js';
import { defaultXeroBehaviours, type XeroBehaviours } from './api-context.js';
import { apiGuard } from './api-guard.js';
import { appPages } from './app-pages.js';
import { contactRoutes } from './contact-routes.js';
import { documentRoutes } from './document-routes.js';
import { creditNoteKind, invoiceKind } from './documents.js';
import { ExchangeLog } from './exchange-log.js';
import { IdTokenSigner } from './id-token.js';
import { IdempotencyCache } from './idempotency.js';
import { identityRoutes } from './identity-routes.js';
import { IdentityState, type OAuthClient } from './identity-state.js';
import { journalRoutes } from './journal-routes.js';
import { paymentRoutes } from './payment-routes.js';
import { personRoutes } from './person-routes.js';
import { RateLimiter, realLimits, type XeroLimits } from './rate-limits.js';
import { referenceRoutes } from './reference-routes.js';
import { seedBooks } from './seed.js';
import type { TenantBooks } from './tenant-books.js';
import { WebhookSender } from './webhooks.js';
import { MonotonicClock } from './wire-format.js';

export interface XeroSimOptions {
  limits?: Partial<XeroLimits>;
  /** OAuth apps allowed to connect; one default app when omitted. */
  clients?: OAuthClient[];
  /** Guess switches (api-context.ts XeroBehaviours); the rest keep their defaults. */
  behaviours?: Partial<XeroBehaviours>;
}

export const defaultSimClient: OAuthClient = {
  clientId: 'ledgerpod-sim-client',
  clientSecret: 'ledgerpod-sim-secret',
};

export type XeroSim = ReturnType<typeof createXeroSim>;

/** An in-memory Xero: accounting 2.0, identity (OAuth 2 + OIDC), connections and webhooks. */
export function createXeroSim(options: XeroSimOptions = {}) {
  const clock = new MonotonicClock();
  const tenants = new Map<string, TenantBooks>();
  const identity = new IdentityState(options.clients ?? [defaultSimClient]);
  const signer = new IdTokenSigner();
  const limiter = new RateLimiter({ ...realLimits, ...options.limits });
  const idempotency = new IdempotencyCache();
  const webhooks = new WebhookSender();
  const exchanges = new ExchangeLog();
  const faults = new FaultBook();
  const traffic = new Traffic();
  const behaviours: XeroBehaviours = { ...defaultXeroBehaviours(), ...options.behaviours };
  const ctx = { clock, webhooks, behaviours };

  const control = {
    reset() {
      tenants.clear();
      identity.reset();
      limiter.reset();
      limiter.limits = { ...realLimits, ...options.limits };
      idempotency.reset();
      webhooks.reset();
      exchanges.entries.length = 0;
    },
    seed(body: unknown) {
      const seeded = seedBooks(body, clock.now());
      for (const books of seeded) tenants.set(books.tenantId, books);
      return { ok: true, tenants: seeded.map((b) => b.tenantId) };
    },
    state() {
      const view: Record<string, unknown> = {};
      for (const [id, { tenantId: _id, createdMs: _c, ...books }] of tenants) view[id] = books;
      return {
        tenants: view,
        tokenRefreshes: identity.tokenRefreshes,
        webhooks: { deliveries: webhooks.deliveries, intent: webhooks.intent },
      };
    },
  };

  /** Tokens for an app connected to every organisation, without the browser round trip. */
  const issueTokens = (clientId = (options.clients ?? [defaultSimClient])[0]!.clientId) => {
    identity.connect(clientId, [...tenants.keys()]);
    return identity.issue(
      clientId,
      'openid offline_access accounting.transactions accounting.contacts accounting.settings',
    );
  };

  const app: Express = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '5mb' }));
  app.use(traffic.middleware((method, path) => `${method} ${path.replace(/[0-9a-f-]{36}/gi, ':id')}`));
  app.use('/api.xro', exchanges.middleware());
  app.use(
    faults.middleware({
      http500: (res) =>
        res.status(500).json({
          Title: 'An error occurred',
          Status: 500,
          Detail:
            'An error occurred in Xero. Check the API Status page http://status.developer.xero.com for current service status.',
        }),
      http429: (res) => {
        res.setHeader('X-Rate-Limit-Problem', 'minute');
        res
          .status(429)
          .json({ Title: 'Too Many Requests', Status: 429, Detail: 'Rate limit exceeded: minute' });
      },
    }),
  );
  app.use(controlRoutes(control, faults, traffic));
  app.post('/__sim/oauth/expire-access-tokens', (_req, res) => {
    res.json({ expired: identity.expireAccessTokens() });
  });
  app.post('/__sim/oauth/tokens', (req, res) => {
    const clientId = z.object({ clientId: z.string().optional() }).parse(req.body ?? {}).clientId;
    const tokens = issueTokens(clientId);
    res.json({ access_token: tokens.accessToken, refresh_token: tokens.refreshToken });
  });
  app.post('/__sim/webhooks', (req, res) => {
    const body = z.object({ url: z.url(), key: z.string().min(1) }).parse(req.body);
    webhooks.register(body.url, body.key);
    res.json({ ok: true });
  });
  app.post('/__sim/webhooks/intent-to-receive', async (_req, res) => {
    res.json(await webhooks.intentToReceive());
  });
  /** Switches for behaviours no published source settles; answers the switches the request named. */
  app.post('/__sim/behaviour', (req, res) => {
    const body = z
      .object({ unknownContactId: z.enum(['refuse', 'not-found', 'create']).optional() })
      .parse(req.body ?? {});
    Object.assign(behaviours, body);
    res.json(Object.fromEntries(Object.entries(behaviours).filter(([name]) => name in body)));
  });
  app.post('/__sim/limits', (req, res) => {
    const body = z
      .object({
        perMinute: z.number().int().min(1),
        perDay: z.number().int().min(1),
        concurrent: z.number().int().min(1),
        appPerMinute: z.number().int().min(1),
      })
      .partial()
      .parse(req.body);
    limiter.limits = { ...limiter.limits, ...body };
    res.json(limiter.limits);
  });
  app.use(personRoutes(tenants, clock, webhooks));
  // The web app's invoice page the product links to, where a person adds a payment.
  app.use(appPages({ tenants, clock, webhooks }));
  app.use(
    identityRoutes(identity, signer, {
      ids: () => [...tenants.keys()],
      name: (id) => tenants.get(id)?.name ?? id,
    }),
  );
  app.use('/api.xro', apiGuard(identity, tenants), limiter.middleware(), idempotency.middleware());
  app.use(documentRoutes(invoiceKind, ctx));
  app.use(documentRoutes(creditNoteKind, ctx));
  app.use(paymentRoutes(ctx));
  app.use(contactRoutes(ctx));
  app.use(referenceRoutes());
  app.use(journalRoutes(ctx));
  app.use((_req, res) => {
    res.status(404).json({
      Title: 'Not Found',
      Status: 404,
      Detail: 'The resource you are looking for could not be found',
    });
  });
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    if (error instanceof z.ZodError) {
      res.status(400).json({ error: 'invalid request', issues: error.issues });
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    res
      .status(/unsupported where/.test(message) ? 400 : 500)
      .json({ Title: 'An error occurred', Status: 500, Detail: message });
  };
  app.use(onError);

  return {
    app,
    tenants,
    identity,
    webhooks,
    limiter,
    faults,
    traffic,
    exchanges: exchanges.entries,
    issueTokens,
    ...control,
  };
}

export async function startXeroSim(options: XeroSimOptions = {}): Promise<RunningSim & { sim: XeroSim }> {
  const sim = createXeroSim(options);
  return { ...(await listen(sim.app)), sim };
}
