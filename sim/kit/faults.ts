import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';

/** What a simulator can be told to do wrong, per method + path, a number of times. */
export const faultRuleSchema = z.object({
  method: z.string().default('*'),
  /** Exact path, or a pattern where `*` matches any run of characters (`/v3/company/*\/invoice`). */
  path: z.string().min(1),
  kind: z.enum([
    'timeout',
    'slow',
    'http500',
    'http429',
    'drop_response_after_write',
    'replace_body_after_write',
  ]),
  times: z.number().int().min(1).default(1),
  /** For http429: the wait hint sent in Retry-After. */
  retryAfterSeconds: z.number().int().min(0).default(1),
  /** For slow: added delay; for timeout: how long the request hangs before the socket is cut. */
  delayMs: z.number().int().min(0).default(30_000),
  /** For replace_body_after_write: the raw text sent instead of the handler's body (same status). */
  body: z.string().optional(),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;
type FaultKind = FaultRule['kind'];

/** Provider-specific bodies for injected HTTP errors, so clients see what the real service sends. */
export interface FaultResponder {
  http500(res: Response): void;
  http429(res: Response, retryAfterSeconds: number): void;
}

const patternOf = (path: string) =>
  new RegExp(
    `^${path
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );

export class FaultBook {
  private rules: (FaultRule & { remaining: number; pattern: RegExp })[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, remaining: rule.times, pattern: patternOf(rule.path) });
  }

  clear(): void {
    this.rules = [];
  }

  list(): (FaultRule & { remaining: number })[] {
    return this.rules.map(({ pattern: _pattern, ...rule }) => rule);
  }

  /** Takes one use of the first rule matching this request, if any. */
  take(method: string, path: string): FaultRule | undefined {
    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 && (r.method === '*' || r.method.toUpperCase() === method) && r.pattern.test(path),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return rule;
  }

  middleware(responder: FaultResponder): RequestHandler {
    return (req, res, next) => {
      const rule = this.take(req.method, req.path);
      if (!rule) return next();
      switch (rule.kind) {
        case 'timeout': {
          const timer = setTimeout(() => req.socket.destroy(), rule.delayMs);
          req.socket.once('close', () => clearTimeout(timer));
          return;
        }
        case 'slow':
          setTimeout(next, rule.delayMs);
          return;
        case 'http500':
          return responder.http500(res);
        case 'http429':
          res.setHeader('Retry-After', String(rule.retryAfterSeconds));
          return responder.http429(res, rule.retryAfterSeconds);
        case 'drop_response_after_write':
          dropResponse(req, res);
          return next();
        case 'replace_body_after_write':
          replaceBody(res, rule.body ?? '');
          return next();
      }
    };
  }
}

/** The handler runs and its write happens; the caller gets a reset connection instead of the answer. */
function dropResponse(req: Request, res: Response): void {
  const cut = () => {
    req.socket.destroy();
    return res;
  };
  res.writeHead = cut as unknown as Response['writeHead'];
  res.end = cut as unknown as Response['end'];
}

/**
 * The handler runs and its write happens; the caller gets its status with another body: an answer
 * the client cannot read although the call took effect.
 */
function replaceBody(res: Response, body: string): void {
  const send = res.send.bind(res);
  res.send = ((_original: unknown) => {
    res.type('application/json');
    return send(body);
  }) as Response['send'];
}
