import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** One registry per process (or per test app), so tests can build many apps without clashes. */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  jobs: Counter<'queue' | 'outcome'>;
}

export function createMetrics(options: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaults) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'ledgerpod_http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'ledgerpod_jobs_total',
      help: 'Jobs handled by queue and outcome (completed, failed, deferred by a budget)',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    }),
  };
}
