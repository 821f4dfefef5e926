import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../../server/paths.js';

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
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', probePath, 'server/main.ts'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, SOAK_PROBE_FILE: probeFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let resolveUrl: (url: string) => void;
  const url = new Promise<string>((resolve) => {
    resolveUrl = resolve;
  });
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    const match = /Ledgerpod listening on (\S+)/.exec(output);
    if (match?.[1]) resolveUrl(match[1]);
    if (output.length > 128 * 1024) output = output.slice(-64 * 1024);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
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
    output: () => output,
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
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exit;
    },
  };
}
