/**
 * A CPU load for running tests on a busy machine: N child processes, each spinning on one core
 * until this process ends (Ctrl-C, SIGTERM) or `seconds` pass. On a 2-core machine N = 10 brings
 * the load average to about 10 within a minute (the one-minute average lags).
 *
 *   node --import tsx bench/support/cpu-load.ts 10 [seconds]
 */
import { fork } from 'node:child_process';

if (process.argv[2] === '--spin') {
  // Busy for 100 ms at a time, yielding between so the parent's exit (IPC disconnect) ends it too.
  process.on('disconnect', () => process.exit(0));
  const burn = () => {
    for (const end = Date.now() + 100; Date.now() < end; );
    setImmediate(burn);
  };
  burn();
} else {
  const count = Number(process.argv[2] ?? 10);
  const seconds = Number(process.argv[3] ?? 3600);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`usage: cpu-load.ts <processes> [seconds], got ${process.argv[2]}`);
  const children = Array.from({ length: count }, () => fork(new URL(import.meta.url).pathname, ['--spin']));
  const stop = () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  setTimeout(stop, seconds * 1000);
  console.log(
    `cpu-load: ${count} busy processes (${children.map((c) => c.pid).join(' ')}) for up to ${seconds} s`,
  );
}
