import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { z } from 'zod';
import { controlRoutes } from '../kit/control-routes.js';
import { FaultBook } from '../kit/faults.js';
import { listen, type RunningSim } from '../kit/listen.js';
import { Traffic } from '../kit/traffic.js';
import { appPages } from './app-pages.js';
import { EntityService, type UiCreditApplication, type VoidedPaymentLines } from './entity-service.js';
import { oauthRoutes } from './oauth-routes.js';
import { personRoutes } from './person-routes.js';
import { QboFault, sendAuthFault, sendForbiddenFault, sendSystemFault, sendThrottled } from './qbo-fault.js';
import { entityNames, RealmStore } from './realm-store.js';
import { seedRealm, seedSchema } from './seed.js';
import { Throttle } from './throttle.js';
import { TokenBook } from './token-book.js';
import { v3Routes } from './v3-routes.js';
import { WebhookSender } from './webhooks.js';

export interface QuickBooksSimOptions {
  /** Per company, per rolling minute (QBO: 500). */
  requestsPerMinute?: number;
  /** Per company, in flight at once (QBO: 10). */
  concurrent?: number;
  /** The company the consent screen picks. */
  authorizeRealmId?: string;
  /** client_id -> client_secret accepted by the token endpoint; empty accepts any pair. */
  clients?: Record<string, string>;
  /** What a voided Payment keeps of its lines (a guess switch: entity-service.ts). */
  voidedPaymentLines?: VoidedPaymentLines;
  /** How a credit applied in the UI reads back (a guess switch: entity-service.ts). */
  uiCreditApplication?: UiCreditApplication;
}

export type QuickBooksSim = ReturnType<typeof createQuickBooksSim>;

export function createQuickBooksSim(options: QuickBooksSimOptions = {}) {
  const store = new RealmStore();
  const faults = new FaultBook();
  const traffic = new Traffic();
  const tokens = new TokenBook();
  const throttle = new Throttle({
    requestsPerMinute: options.requestsPerMinute ?? 500,
    concurrent: options.concurrent ?? 10,
  });
  const webhooks = new WebhookSender();
  const service = new EntityService((realm, name, entity, operation) =>
    webhooks.notify(realm, name, entity, operation),
  );
  if (options.voidedPaymentLines) service.voidedPaymentLines = options.voidedPaymentLines;
  if (options.uiCreditApplication) service.uiCreditApplication = options.uiCreditApplication;
  const oauthSettings = {
    authorizeRealmId: options.authorizeRealmId ?? '9130350000000001',
    clients: options.clients ?? {},
  };

  const state = () => ({
    realms: Object.fromEntries(
      store.list().map((realm) => [realm.id, Object.fromEntries(entityNames.map((n) => [n, realm.all(n)]))]),
    ),
    tokenRefreshes: tokens.refreshes,
    webhooks: { sent: webhooks.sent, failed: webhooks.failed },
  });

  const app = express();
  app.disable('x-powered-by');
  // Limits first: a request QBO throttles never reaches the (latency-adding) rest of the service.
  app.use('/v3/company/:realm', throttle.middleware());
  app.use(traffic.middleware((method, path) => `${method} ${routeKey(path)}`));
  app.use(express.json({ limit: '5mb' }));
  app.use(
    controlRoutes(
      {
        reset() {
          store.clear();
          tokens.clear();
          throttle.clear();
          webhooks.target = undefined;
        },
        seed(body) {
          const parsed = seedSchema.parse(body);
          for (const [realmId, entities] of Object.entries(parsed.realms))
            seedRealm(store.realm(realmId), entities);
          for (const [realmId, { taxSwitches, ...company }] of Object.entries(parsed.companies)) {
            const realm = store.realm(realmId);
            realm.company = { ...realm.company, ...company };
            realm.taxSwitches = { ...realm.taxSwitches, ...taxSwitches };
          }
          return { ok: true };
        },
        state,
      },
      faults,
      traffic,
    ),
  );
  app.use(personRoutes({ store, service, tokens, webhooks }));
  // The web app's document pages the product links to, where a person receives a payment.
  app.use(appPages({ store, service }));
  app.use(faults.middleware({ http500: sendSystemFault, http429: sendThrottled }));
  app.use(oauthRoutes(tokens, oauthSettings));
  app.use('/v3/company/:realm', bearerAuth(tokens, store));
  app.use(v3Routes(store, service));
  app.use(errorHandler);

  return { app, store, tokens, faults, traffic, throttle, webhooks, service, state };
}

export async function startQuickBooksSim(
  options: QuickBooksSimOptions = {},
): Promise<RunningSim & { sim: QuickBooksSim }> {
  const sim = createQuickBooksSim(options);
  const running = await listen(sim.app, 0);
  return { ...running, sim };
}

/** Every v3 call needs a live access token issued for that company. */
function bearerAuth(tokens: TokenBook, store: RealmStore): RequestHandler {
  return (req, res, next) => {
    const match = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    const checked = match ? tokens.check(match[1]!) : { error: 'Authorization header missing' };
    if ('error' in checked) return sendAuthFault(res, checked.error);
    if (checked.realmId !== req.params.realm) return sendAuthFault(res, 'Token not valid for this company');
    const realm = store.realm(String(req.params.realm));
    if (realm.forbidden) return sendForbiddenFault(res);
    res.locals.realm = realm;
    next();
  };
}

const errorHandler: ErrorRequestHandler = (error, _req, res, _next) => {
  if (error instanceof QboFault) {
    res.status(error.status).json(error.body());
  } else if (error instanceof z.ZodError) {
    res.status(400).json({ error: 'invalid request', issues: error.issues });
  } else if ((error as { type?: string }).type === 'entity.parse.failed') {
    const fault = new QboFault(
      '2500',
      'Request has invalid or unsupported property',
      'Could not parse request body',
    );
    res.status(400).json(fault.body());
  } else {
    sendSystemFault(res);
  }
};

const routeKey = (path: string) =>
  path.replace(/^\/v3\/company\/[^/]+/, '/v3/company/:realm').replace(/\/\d+$/, '/:id');
