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
  /** CPU time of the generator's own thread (NaN where /proc does not tell). */
  generatorCpuMs: number;
}

// Plain JavaScript so the worker needs no TypeScript loader. HTTP/1.1 keep-alive over plain
// node:net sockets with every request's bytes encoded up front: the generator shares the machine's
// cores with the server and PostgreSQL, and node:http's client (request objects, header validation,
// its parser) cost about a third of what the server spends on a status read. What the server receives
// is the same: a GET with Host, the request's headers and keep-alive.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const fs = require('node:fs');
// This thread's CPU time (Linux), to show what the generator itself takes of the shared cores.
const cpuMs = () => {
  try {
    const f = fs.readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch { return NaN; }
};
const cpuStart = cpuMs();
const { url, rate, durationMs, paths, headers, connections } = workerData;
const base = new URL(url);
const host = base.hostname;
const port = Number(base.port);
const encoded = paths.map((path, i) => {
  const h = headers[i % headers.length];
  let text = 'GET ' + path + ' HTTP/1.1\\r\\nHost: ' + base.host + '\\r\\nConnection: keep-alive\\r\\n';
  for (const name of Object.keys(h)) text += name + ': ' + h[name] + '\\r\\n';
  return Buffer.from(text + '\\r\\n', 'latin1');
});
const total = Math.round((rate * durationMs) / 1000);
const interval = 1000 / rate;
const latencies = new Float64Array(total);
const statuses = {};
let sent = 0, done = 0, errors = 0, open = 0;
const idle = [];
const waiting = [];
const t0 = performance.now() + 20;

function finish(i, status) {
  latencies[i] = performance.now() - (t0 + i * interval);
  if (status) statuses[status] = (statuses[status] || 0) + 1;
  else errors++;
  done++;
  if (done === total) {
    for (const socket of idle) socket.destroy();
    parentPort.postMessage({ latencies: Array.from(latencies), statuses, errors, sent,
      elapsedMs: performance.now() - t0, cpuMs: cpuMs() - cpuStart });
  }
}

// One request in flight per socket; a response is complete at Content-Length (or a chunked end).
function connect() {
  open++;
  const socket = net.connect({ host, port, noDelay: true });
  socket.current = -1;
  socket.buffer = null;
  socket.on('data', (chunk) => {
    socket.buffer = socket.buffer ? Buffer.concat([socket.buffer, chunk]) : chunk;
    const buf = socket.buffer;
    const headEnd = buf.indexOf('\\r\\n\\r\\n');
    if (headEnd < 0) return;
    const head = buf.toString('latin1', 0, headEnd);
    const status = Number(head.slice(9, 12));
    const length = /\\r\\ncontent-length: *(\\d+)/i.exec(head);
    let complete;
    if (length) complete = buf.length >= headEnd + 4 + Number(length[1]);
    else if (/\\r\\ntransfer-encoding: *chunked/i.test(head)) complete = buf.lastIndexOf('0\\r\\n\\r\\n') >= headEnd;
    else complete = true;
    if (!complete) return;
    const i = socket.current;
    socket.current = -1;
    socket.buffer = null;
    finish(i, status);
    release(socket);
  });
  const fail = () => {
    if (socket.current >= 0) finish(socket.current, 0);
    socket.current = -1;
    open--;
    const at = idle.indexOf(socket);
    if (at >= 0) idle.splice(at, 1);
    if (waiting.length && open < connections) send(waiting.shift());
  };
  socket.on('error', () => undefined);
  socket.on('close', fail);
  return socket;
}

function release(socket) {
  if (waiting.length) return use(socket, waiting.shift());
  idle.push(socket);
}

function use(socket, i) {
  socket.current = i;
  socket.write(encoded[i % encoded.length]);
}

function send(i) {
  const socket = idle.pop();
  if (socket) return use(socket, i);
  if (open < connections) return use(connect(), i);
  waiting.push(i);
}

function tick() {
  const now = performance.now();
  while (sent < total && t0 + sent * interval <= now) send(sent++);
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
        cpuMs: number;
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
          generatorCpuMs: m.cpuMs,
        });
      },
    );
  });
}
