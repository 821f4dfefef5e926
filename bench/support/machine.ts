import { cpus, freemem, loadavg, totalmem } from 'node:os';

/** One line describing the machine and how busy it was, for every result block. */
export function machineLine(): string {
  const cpu = cpus();
  const load = loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  return (
    `${cpu[0]?.model.trim() ?? 'cpu'}, nproc ${cpu.length}, RAM ${(totalmem() / 2 ** 30).toFixed(1)} GB ` +
    `(${(freemem() / 2 ** 30).toFixed(1)} GB free), node ${process.version}, load average ${load}`
  );
}

/** The result block's header: what ran, when, where. */
export function header(name: string, extra: Record<string, unknown> = {}): string {
  const lines = [
    `### ${name}`,
    `date:    ${new Date().toISOString()}`,
    `machine: ${machineLine()}`,
    `command: npx tsx ${process.argv.slice(1).map(shortPath).join(' ')}`,
  ];
  for (const [k, v] of Object.entries(extra)) lines.push(`${`${k}:`.padEnd(10)}${String(v)}`);
  return lines.join('\n');
}

const shortPath = (p: string) => p.replace(`${process.cwd()}/`, '');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `--name value` or `--name=value` from argv, else the fallback. */
export function flag(name: string, fallback: string): string {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${name}`) return args[i + 1] ?? fallback;
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return fallback;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
