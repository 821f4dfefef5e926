/**
 * Loaded into a product process by bench/soak.ts (`node --import tsx --import <this file>
 * server/main.ts`); changes nothing in the product. On SIGUSR2 it appends one JSON line to
 * SOAK_PROBE_FILE: memory, event-loop delay since the last sample, active resources
 * (process.getActiveResourcesInfo()) by type, and every pg pool's size (the product's and pg-boss's:
 * pools are noticed on their first connect).
 */
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';

interface PoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max?: number };
}

const file = process.env.SOAK_PROBE_FILE;
if (file) {
  const pools = new Set<PoolLike>();
  // pg.Pool is pg's BoundPool; its parent (pg-pool's Pool) owns connect().
  const poolProto = Object.getPrototypeOf(pg.Pool.prototype) as { connect: (...args: unknown[]) => unknown };
  const connect = poolProto.connect;
  poolProto.connect = function (this: PoolLike, ...args: unknown[]) {
    pools.add(this);
    return connect.apply(this, args);
  };
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  process.on('SIGUSR2', () => {
    const memory = process.memoryUsage();
    const resources: Record<string, number> = {};
    const active = process.getActiveResourcesInfo();
    for (const type of active) resources[type] = (resources[type] ?? 0) + 1;
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const sample = {
      pid: process.pid,
      at: Date.now(),
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      loopDelayMs: { mean: ms(delay.mean), p99: ms(delay.percentile(99)), max: ms(delay.max) },
      activeResources: active.length,
      resources,
      pools: [...pools].map((p) => ({
        max: p.options.max ?? 10,
        total: p.totalCount,
        idle: p.idleCount,
        waiting: p.waitingCount,
      })),
    };
    delay.reset();
    appendFileSync(file, `${JSON.stringify(sample)}\n`);
  });
}
