import type { RequestHandler } from 'express';

export interface XeroLimits {
  perMinute: number;
  perDay: number;
  concurrent: number;
  appPerMinute: number;
}

export const realLimits: XeroLimits = { perMinute: 60, perDay: 5000, concurrent: 5, appPerMinute: 10_000 };

interface TenantUsage {
  minute: number[];
  dayStart: number;
  day: number;
  inFlight: number;
}

/**
 * Xero's per-organisation limits (calls per minute, per day, at once) and the app-wide minute limit.
 * Every answer carries the remaining counts; a refused call gets 429 with Retry-After and
 * X-Rate-Limit-Problem naming which limit was hit.
 */
export class RateLimiter {
  private usage = new Map<string, TenantUsage>();
  private appMinute: number[] = [];

  constructor(public limits: XeroLimits) {}

  reset(): void {
    this.usage.clear();
    this.appMinute = [];
  }

  middleware(): RequestHandler {
    return (_req, res, next) => {
      const tenantId = String(res.locals.tenantId ?? '');
      const now = Date.now();
      const usage = this.usageOf(tenantId, now);
      usage.minute = usage.minute.filter((t) => t > now - 60_000);
      this.appMinute = this.appMinute.filter((t) => t > now - 60_000);
      const problem =
        usage.day >= this.limits.perDay
          ? { kind: 'day', retryAfter: Math.ceil((usage.dayStart + 86_400_000 - now) / 1000) }
          : usage.minute.length >= this.limits.perMinute
            ? { kind: 'minute', retryAfter: Math.ceil((usage.minute[0]! + 60_000 - now) / 1000) }
            : this.appMinute.length >= this.limits.appPerMinute
              ? { kind: 'appminute', retryAfter: Math.ceil((this.appMinute[0]! + 60_000 - now) / 1000) }
              : usage.inFlight >= this.limits.concurrent
                ? { kind: 'concurrent', retryAfter: 1 }
                : undefined;
      if (!problem) {
        usage.minute.push(now);
        this.appMinute.push(now);
        usage.day += 1;
      }
      res.setHeader('X-MinLimit-Remaining', String(Math.max(0, this.limits.perMinute - usage.minute.length)));
      res.setHeader('X-DayLimit-Remaining', String(Math.max(0, this.limits.perDay - usage.day)));
      res.setHeader(
        'X-AppMinLimit-Remaining',
        String(Math.max(0, this.limits.appPerMinute - this.appMinute.length)),
      );
      if (problem) {
        res.setHeader('Retry-After', String(Math.max(1, problem.retryAfter)));
        res.setHeader('X-Rate-Limit-Problem', problem.kind);
        res
          .status(429)
          .json({ Title: 'Too Many Requests', Status: 429, Detail: `Rate limit exceeded: ${problem.kind}` });
        return;
      }
      usage.inFlight += 1;
      let done = false;
      const finish = () => {
        if (!done) usage.inFlight -= 1;
        done = true;
      };
      res.on('finish', finish);
      res.on('close', finish);
      next();
    };
  }

  private usageOf(tenantId: string, now: number): TenantUsage {
    let usage = this.usage.get(tenantId);
    if (!usage || now - usage.dayStart >= 86_400_000) {
      usage = { minute: usage?.minute ?? [], dayStart: now, day: 0, inFlight: usage?.inFlight ?? 0 };
      this.usage.set(tenantId, usage);
    }
    return usage;
  }
}
