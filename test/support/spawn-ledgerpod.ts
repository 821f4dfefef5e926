import { type ChildProcess, spawn } from 'node:child_process';
import { projectRoot } from '../../server/paths.js';

export interface SpawnedLedgerpod {
  child: ChildProcess;
  /** The URL printed on start, once it has been printed. */
  url: Promise<string>;
  output(): string;
  exit: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs server/main.ts in its own process with exactly the given environment (plus PATH and HOME).
 * `imports` are loaded before it (a probe); `keepOutput` bounds the output kept, for long runs.
 */
export function spawnLedgerpod(
  env: Record<string, string>,
  options: { imports?: string[]; keepOutput?: number } = {},
): SpawnedLedgerpod {
  const imports = (options.imports ?? []).flatMap((path) => ['--import', path]);
  const child = spawn(process.execPath, ['--import', 'tsx', ...imports, 'server/main.ts'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
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
  };
}
