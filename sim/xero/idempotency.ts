import type { RequestHandler } from 'express';

/**
 * Xero's Idempotency-Key: a write repeated with the same key (per organisation) answers with the
 * first response and changes nothing. Kept even when the first answer never reached the caller.
 */
export class IdempotencyCache {
  private answers = new Map<string, { status: number; body: unknown }>();

  reset(): void {
    this.answers.clear();
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const key = req.get('idempotency-key');
      if (!key || (req.method !== 'PUT' && req.method !== 'POST')) return next();
      if (key.length > 128) {
        res.status(400).json({
          Title: 'Bad Request',
          Status: 400,
          Detail: 'Idempotency-Key is longer than 128 characters',
        });
        return;
      }
      const cacheKey = `${String(res.locals.tenantId)}\u0000${key}`;
      const earlier = this.answers.get(cacheKey);
      if (earlier) {
        res.status(earlier.status).json(earlier.body);
        return;
      }
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        if (res.statusCode < 300) this.answers.set(cacheKey, { status: res.statusCode, body });
        return json(body);
      };
      next();
    };
  }
}
