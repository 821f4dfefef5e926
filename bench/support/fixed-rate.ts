import { Worker } from 'node:worker_threads';
import { percentile } from './machine.js';

export interface FixedRateOptions {
  /** Base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  /** Requests per second, sent on a fixed schedule (open loop) whatever the answers' pace. */
  rate: number;
  durationMs: number;
  /** Request i goes to paths[i % paths.length] with headers[i % headers.length]. */
  paths: string[];
  headers: Record<string, string>[];
  /** Keep-alive sockets at most. */
  connections?: number;
}

export interface FixedRateResult {
  rate: number;
  sent: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  /** Achieved completions per second. */
  achieved: number;
  /** Milliseconds from each request's scheduled start to its answer (no coordinated omission). */
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

// Plain JavaScript so the worker needs no TypeScript loader; node:http with keep-alive.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, rate, durationMs, paths, headers, connections } = workerData;
const base = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
const total = Math.round((rate * durationMs) / 1000);
const interval = 1000 / rate;
const latencies = new Float64Array(total);
const statuses = {};
let sent = 0, done = 0, errors = 0;
const t0 = performance.now() + 20;
function fire(i) {
  const scheduled = t0 + i * interval;
  const req = http.request({ host: base.hostname, port: base.port, path: paths[i % paths.length],
    method: 'GET', agent, headers: headers[i % headers.length] }, (res) => {
    res.resume();
    res.on('end', () => {
      latencies[i] = performance.now() - scheduled;
      statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
      finish();
    });
  });
  req.on('error', () => { errors++; latencies[i] = performance.now() - scheduled; finish(); });
  req.end();
}
function finish() {
  done++;
  if (done === total) {
    agent.destroy();
    parentPort.postMessage({ latencies: Array.from(latencies), statuses, errors, sent,
      elapsedMs: performance.now() - t0 });
  }
}
function tick() {
  const now = performance.now();
  while (sent < total && t0 + sent * interval <= now) fire(sent++);
  if (sent < total) setTimeout(tick, Math.max(0, Math.min(5, t0 + sent * interval - performance.now())));
}
setTimeout(tick, 20);
`;

/** Sends GETs at a fixed rate from a worker thread and reports latency percentiles. */
export function runFixedRate(options: FixedRateOptions): Promise<FixedRateResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { connections: 128, ...options },
    });
    worker.once('error', reject);
    worker.once(
      'message',
      (m: {
        latencies: number[];
        statuses: Record<string, number>;
        errors: number;
        sent: number;
        elapsedMs: number;
      }) => {
        void worker.terminate();
        const sorted = [...m.latencies].sort((a, b) => a - b);
        const ok = m.statuses['200'] ?? 0;
        resolve({
          rate: options.rate,
          sent: m.sent,
          ok,
          errors: m.errors,
          statuses: m.statuses,
          achieved: (m.sent / m.elapsedMs) * 1000,
          p50: percentile(sorted, 50),
          p90: percentile(sorted, 90),
          p99: percentile(sorted, 99),
          max: sorted.at(-1) ?? Number.NaN,
        });
      },
    );
  });
}
