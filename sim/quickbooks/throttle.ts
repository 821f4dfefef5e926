import type { RequestHandler } from 'express';
import { sendThrottled } from './qbo-fault.js';

export interface ThrottleLimits {
  requestsPerMinute: number;
  concurrent: number;
}

/** QBO's per-company limits: requests per rolling minute and requests in flight at once. */
export class Throttle {
  private windows = new Map<string, number[]>();
  private inFlight = new Map<string, number>();

  constructor(
    public limits: ThrottleLimits,
    private readonly now: () => number = Date.now,
  ) {}

  clear(): void {
    this.windows.clear();
    this.inFlight.clear();
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const realm = String(req.params.realm);
      const now = this.now();
      const recent = (this.windows.get(realm) ?? []).filter((t) => t > now - 60_000);
      const running = this.inFlight.get(realm) ?? 0;
      if (recent.length >= this.limits.requestsPerMinute || running >= this.limits.concurrent) {
        this.windows.set(realm, recent);
        const wait = recent.length >= this.limits.requestsPerMinute ? (recent[0]! + 60_000 - now) / 1000 : 1;
        sendThrottled(res, Math.max(1, Math.ceil(wait)));
        return;
      }
      recent.push(now);
      this.windows.set(realm, recent);
      this.inFlight.set(realm, running + 1);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        this.inFlight.set(realm, (this.inFlight.get(realm) ?? 1) - 1);
      };
      res.on('finish', finish);
      res.on('close', finish);
      next();
    };
  }
}
