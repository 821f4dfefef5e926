import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';
import { AppError } from '../shared/errors.js';
import { podUiDistDir } from '../shared/paths.js';

/**
 * Serves the built pod (Vite output) under /pod/. Hashed assets are cached for good; the page itself
 * is never cached, so a deploy reaches every ConnectWise screen at once.
 */
export function podUiRoutes(dir = podUiDistDir): Router {
  const router = Router();
  const index = join(dir, 'index.html');
  router.use(
    '/pod/assets',
    express.static(join(dir, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }),
  );
  router.get(['/pod', '/pod/'], (_req, res) => {
    if (!existsSync(index)) {
      throw new AppError(503, 'pod_not_built', 'The pod UI has not been built', {
        hint: 'Run npm run build:ui (npm start does it for you).',
      });
    }
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  router.use('/pod', express.static(dir, { index: false, maxAge: '1h' }));
  return router;
}
