import type { RequestHandler } from 'express';

/**
 * Counts what the product sent, so tests and benchmarks can check call counts and that limits
 * held, and adds a fixed latency to model the real service.
 */
export class Traffic {
  latencyMs = 0;
  total = 0;
  inFlight = 0;
  maxInFlight = 0;
  readonly byRoute = new Map<string, number>();

  reset(): void {
    this.total = 0;
    this.inFlight = 0;
    this.maxInFlight = 0;
    this.byRoute.clear();
  }

  middleware(routeKey: (method: string, path: string) => string = (m, p) => `${m} ${p}`): RequestHandler {
    return (req, res, next) => {
      if (req.path.startsWith('/__sim')) return next();
      this.total += 1;
      const key = routeKey(req.method, req.path);
      this.byRoute.set(key, (this.byRoute.get(key) ?? 0) + 1);
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        this.inFlight -= 1;
      };
      res.on('finish', finish);
      res.on('close', finish);
      if (this.latencyMs > 0) setTimeout(next, this.latencyMs);
      else next();
    };
  }

  snapshot() {
    return {
      total: this.total,
      maxInFlight: this.maxInFlight,
      byRoute: Object.fromEntries([...this.byRoute.entries()].sort()),
    };
  }
}
