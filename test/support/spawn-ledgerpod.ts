import { type ChildProcess, spawn } from 'node:child_process';
import { projectRoot } from '../../server/shared/paths.js';
import { processMs } from './patience.js';
import { testBudgets } from './test-config.js';
import { until } from './wait.js';

export interface SpawnedLedgerpod {
  child: ChildProcess;
  /** The URL printed on start, once it has been printed. */
  url: Promise<string>;
  output(): string;
  exit: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves once the process logged that it started (JSON logs); rejects if it exits or is late. */
  started(withinMs?: number): Promise<void>;
}

/**
 * Runs server/main.ts in its own process with exactly the given environment (plus PATH, HOME and
 * the watchdog schedule off).
 * `imports` are loaded before it (a probe); `keepOutput` bounds the output kept, for long runs.
 */
export function spawnLedgerpod(
  env: Record<string, string>,
  options: { imports?: string[]; keepOutput?: number } = {},
): SpawnedLedgerpod {
  const imports = (options.imports ?? []).flatMap((path) => ['--import', path]);
  const child = spawn(process.execPath, ['--import', 'tsx', ...imports, 'server/main.ts'], {
    cwd: projectRoot,
    // The callback watchdog's clock schedule is off unless a test asks (as in test-config.ts).
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      CW_CALLBACK_WATCH_MINUTES: '0',
      ...testBudgets,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let resolveUrl: (url: string) => void;
  const url = new Promise<string>((resolve) => {
    resolveUrl = resolve;
  });
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    // Outside the demo the first line names the server; the demo names it after the URL to open.
    const match = /Ledgerpod listening on (\S+)|\(Ledgerpod itself: ([^;\s]+);/.exec(output);
    const found = match?.[1] ?? match?.[2];
    if (found) resolveUrl(found);
    if (options.keepOutput && output.length > 2 * options.keepOutput)
      output = output.slice(-options.keepOutput);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    url,
    output: () => output,
    exit,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exit;
    },
    async started(withinMs = processMs) {
      await until(
        'ledgerpod started',
        () => {
          if (child.exitCode !== null)
            throw new Error(`exited with ${child.exitCode} before it started:\n${output}`);
          return output.includes('"msg":"ledgerpod started"') ? true : undefined;
        },
        { timeoutMs: withinMs, intervalMs: 200, detail: () => output },
      );
    },
  };
}
