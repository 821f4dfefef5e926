import type { RequestHandler } from 'express';

export interface Exchange {
  method: string;
  path: string;
  status: number;
  /** Who sent it (xero-node sends `xero-node-<version>`), so checks can tell the product from raw test calls. */
  userAgent: string | undefined;
  requestBody: unknown;
  responseBody: unknown;
}

/**
 * Process-wide listeners told of every exchange of every simulator in the process: the test setup
 * validates them all against xero_accounting.yaml (test/support/setup.ts).
 */
export const exchangeObservers = new Set<(exchange: Exchange) => void>();

/** Keeps every accounting request and JSON answer, so contract tests can check both against the spec. */
export class ExchangeLog {
  readonly entries: Exchange[] = [];

  middleware(): RequestHandler {
    return (req, res, next) => {
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        const exchange: Exchange = {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          userAgent: req.get('user-agent'),
          requestBody: req.method === 'GET' ? undefined : req.body,
          responseBody: body,
        };
        this.entries.push(exchange);
        for (const observe of exchangeObservers) observe(exchange);
        return json(body);
      };
      next();
    };
  }
}
