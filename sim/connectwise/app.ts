import express, { type Express, Router } from 'express';
import { controlRoutes } from '../kit/control-routes.js';
import { FaultBook } from '../kit/faults.js';
import { listen, type RunningSim } from '../kit/listen.js';
import { Traffic } from '../kit/traffic.js';
import { authMiddleware } from './auth.js';
import { apiBase, callbackControlRoutes, callbackRoutes, signingKeyRoutes } from './callbacks.js';
import { cwErrorHandler, cwFaultResponder, sendCwError } from './errors.js';
import { accountingRoutes } from './routes/accounting.js';
import { hostedRoutes } from './routes/hosted.js';
import { invoiceControlRoutes, invoiceRoutes, referenceRoutes } from './routes/invoices.js';
import { memberAuthRoutes, memberRoutes } from './routes/members.js';
import { setupTableRoutes } from './routes/setup-tables.js';
import type { Seed } from './seed-schema.js';
import { ConnectWiseState } from './state.js';

export interface ConnectWiseSimOptions {
  /** The company id known to /login/companyinfo even before any API member is seeded. */
  companyId?: string;
  versionCode?: string;
  seed?: Seed;
}

export interface ConnectWiseSim {
  app: Express;
  /** Live in-memory state; /__sim/reset empties it in place. */
  state: ConnectWiseState;
  faults: FaultBook;
  traffic: Traffic;
}

/** An in-memory ConnectWise PSA (REST 3.0) for every call Ledgerpod makes, plus the kit's /__sim controls. */
export function createConnectWiseSim(options: ConnectWiseSimOptions = {}): ConnectWiseSim {
  const state = new ConnectWiseState(options.companyId ?? 'ledgerpod');
  if (options.seed) state.seed(options.seed);
  const faults = new FaultBook();
  const traffic = new Traffic();
  const app = express();
  // The list pager (paging.ts) reads the paging switch from here.
  app.locals.cwState = state;
  app.use(express.json({ limit: '5mb', type: ['application/json', 'application/*+json'] }));
  app.use(traffic.middleware((method, path) => `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/{id}')}`));
  app.use(faults.middleware(cwFaultResponder));
  app.use(
    controlRoutes(
      { reset: () => state.reset(), seed: (body) => state.seed(body), state: () => state.snapshot() },
      faults,
      traffic,
    ),
  );
  app.use(
    memberAuthRoutes(state),
    invoiceControlRoutes(state),
    callbackControlRoutes(state),
    signingKeyRoutes(state),
  );
  app.get('/login/companyinfo/:companyId', (req, res) => {
    const known = [...state.companyIds].find((id) => id.toLowerCase() === req.params.companyId.toLowerCase());
    if (!known) {
      sendCwError(res, 404, 'NotFound', `Company ${req.params.companyId} not found`);
      return;
    }
    res.json({
      CompanyName: state.companyName,
      Codebase: 'v4_6_release/',
      VersionCode: options.versionCode ?? 'v2025.1',
      VersionNumber: 'v2025.1.12345',
      CompanyID: known,
      IsCloud: false,
      SiteUrl: req.get('host'),
      AllowAnonymousLogin: false,
    });
  });
  const api = Router();
  api.use(authMiddleware(state));
  for (const routes of [
    memberRoutes,
    referenceRoutes,
    setupTableRoutes,
    invoiceRoutes,
    accountingRoutes,
    callbackRoutes,
    hostedRoutes,
  ]) {
    api.use(routes(state));
  }
  api.use((req, res) => sendCwError(res, 404, 'NotFound', `No route for ${req.method} ${req.path}`));
  app.use(apiBase, api);
  app.use(cwErrorHandler);
  return { app, state, faults, traffic };
}

export async function startConnectWiseSim(
  options: ConnectWiseSimOptions & { port?: number } = {},
): Promise<RunningSim & { sim: ConnectWiseSim }> {
  const sim = createConnectWiseSim(options);
  const running = await listen(sim.app, options.port ?? 0);
  return { ...running, sim };
}
