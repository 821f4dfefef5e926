import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Db } from '../db/database.js';
import { errorHandler, notFound } from '../http/error-handler.js';
import { healthRoutes } from '../http/health-routes.js';
import { jsonNestsDeeperThan, maxJsonDepth, tooDeepError } from '../http/json-depth.js';
import { rejectNulCharacters } from '../http/reject-nul.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { rawBodyWebhookPaths } from '../ledgers/providers.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/log.js';
import type { Metrics } from '../shared/metrics.js';

export interface AppDeps {
  config: Config;
  db: Db;
  jobs: JobQueue | undefined;
  logger: Logger;
  metrics: Metrics;
  /** ConnectWise origins allowed to frame our pages. */
  frameAncestors: (url: string | undefined) => string[];
  /** Extra routers mounted before the 404 handler (API modules add themselves here). */
  routers?: express.Router[];
}

declare module 'node:http' {
  interface IncomingMessage {
    /** The exact bytes received, kept for webhook signature checks. */
    rawBody?: Buffer;
  }
}

const requestIdPattern = /^[\w.-]{8,64}$/;

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');

  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
      // Only what identifies the request: query strings (an OAuth callback carries its code and
      // state there) and headers (cookies, tokens, signatures) stay out of the logs.
      serializers: {
        req: (req: { id?: unknown; method?: string; url?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url?.split('?')[0],
        }),
        // The status says how it went; the response headers (CSP, cookies on OAuth pages) are noise.
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );

  app.use((req, res, next) => {
    const end = deps.metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });

  const https = deps.config.publicUrl?.startsWith('https:') ?? false;
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          // Pods live inside ConnectWise: only the tenants' ConnectWise origins may frame us.
          frameAncestors: [(req) => deps.frameAncestors(req.url).join(' ') || "'none'"],
          upgradeInsecureRequests: https ? [] : null,
        },
      },
      // X-Frame-Options cannot name an origin and would stop the pod from loading in ConnectWise.
      xFrameOptions: false,
      strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      // The OAuth popup reports back to the pod that opened it.
      crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
    }),
  );

  app.use(
    express.json({
      limit: '1mb',
      // QuickBooks sends its CloudEvents webhooks as application/cloudevents-batch+json. A webhook
      // read as bytes (Xero's) is parsed by its route, after the signature check, so a forgery
      // never reaches JSON.
      type: (req) =>
        !rawBodyWebhookPaths.some((path) => req.url?.startsWith(path)) &&
        /^application\/(json|[\w.+-]+\+json)\b/i.test(String(req.headers['content-type'] ?? '')),
      verify: (req, _res, buf) => {
        // Before JSON.parse: a body of ~20 KB nesting 10,000 deep must cost one pass, not a parse
        // and recursive walks whose stack grows with it. body-parser keeps the error's 400.
        if (jsonNestsDeeperThan(buf, maxJsonDepth)) throw tooDeepError();
        req.rawBody = buf;
      },
    }),
  );

  app.use(rejectNulCharacters);
  app.use(healthRoutes(deps));
  for (const router of deps.routers ?? []) app.use(router);
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
