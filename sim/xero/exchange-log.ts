import type { RequestHandler } from 'express';

export interface Exchange {
  method: string;
  path: string;
  status: number;
  requestBody: unknown;
  responseBody: unknown;
}

/** Keeps every accounting request and JSON answer, so contract tests can check both against the spec. */
export class ExchangeLog {
  readonly entries: Exchange[] = [];

  middleware(): RequestHandler {
    return (req, res, next) => {
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        this.entries.push({
          method: req.method,
          path: req.path,
          status: res.statusCode,
          requestBody: req.method === 'GET' ? undefined : req.body,
          responseBody: body,
        });
        return json(body);
      };
      next();
    };
  }
}
