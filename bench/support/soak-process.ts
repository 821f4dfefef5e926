import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnLedgerpod } from '../../test/support/spawn-ledgerpod.js';

/** What bench/support/soak-probe.ts wrote for one process at one SIGUSR2. */
export interface ProbeSample {
  pid: number;
  at: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  loopDelayMs: { mean: number; p99: number; max: number };
  activeResources: number;
  resources: Record<string, number>;
  pools: { max: number; total: number; idle: number; waiting: number }[];
}

export interface ProbedLedgerpod {
  child: ChildProcess;
  /** The URL printed on start. */
  url: Promise<string>;
  output(): string;
  /** Asks the probe for a sample and answers it once written (undefined if none came in time). */
  sample(): Promise<ProbeSample | undefined>;
  stop(): Promise<number | null>;
}

const probePath = fileURLToPath(new URL('./soak-probe.ts', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * server/main.ts in its own process, as test/support/spawn-ledgerpod.ts runs it, with the soak probe
 * loaded beside it (samples go to `probeFile`, one JSON line each). Output is kept only in its last
 * 64 KB (a 30-minute run logs a lot).
 */
export function spawnProbedLedgerpod(env: Record<string, string>, probeFile: string): ProbedLedgerpod {
  const { child, url, output, stop } = spawnLedgerpod(
    { ...env, SOAK_PROBE_FILE: probeFile },
    { imports: [probePath], keepOutput: 64 * 1024 },
  );
  const samples = () => {
    try {
      return readFileSync(probeFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as ProbeSample)
        .filter((s) => s.pid === child.pid);
    } catch {
      return [];
    }
  };
  return {
    child,
    url,
    output,
    async sample() {
      const before = samples().length;
      child.kill('SIGUSR2');
      for (let i = 0; i < 50; i++) {
        await sleep(100);
        const all = samples();
        if (all.length > before) return all.at(-1);
      }
      return undefined;
    },
    stop: () => stop('SIGTERM'),
  };
}
