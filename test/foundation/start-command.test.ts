import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processMs } from '../support/patience.js';
import { spawnLedgerpod } from '../support/spawn-ledgerpod.js';

const withinSeconds = <T>(promise: Promise<T>, seconds: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} not within ${seconds}s`)), seconds * 1000),
    ),
  ]);

async function waitForStatus(url: string, status: number, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const res = await fetch(url).catch(() => undefined);
    if (res?.status === status) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${status} within ${seconds}s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the start command', () => {
  it(
    'with no configuration serves /healthz and /readyz, stops on SIGTERM, and starts again on the same data',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'ledgerpod-start-'));
      const env = { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
      const started = Date.now();
      const first = spawnLedgerpod(env);
      try {
        const url = await withinSeconds(first.url, processMs / 1000, 'start-up');
        await waitForStatus(`${url}/healthz`, 200, processMs / 1000 - (Date.now() - started) / 1000);
        await waitForStatus(`${url}/readyz`, 200, processMs / 1000 - (Date.now() - started) / 1000);
        // The process's own health is on /metrics for whoever watches it: memory, event-loop lag.
        const metrics = await (await fetch(`${url}/metrics`)).text();
        expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
        expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds /m);
      } finally {
        expect(await first.stop('SIGTERM')).toBe(0);
      }

      const second = spawnLedgerpod(env);
      try {
        const url = await withinSeconds(second.url, processMs / 1000, 'restart');
        await waitForStatus(`${url}/readyz`, 200, processMs / 1000);
      } finally {
        expect(await second.stop('SIGINT')).toBe(0);
      }
      expect(second.output()).not.toMatch(/error/i);
    },
    3 * processMs,
  );

  it(
    'stops with exit code 1 and one clear line per bad variable, no stack trace',
    async () => {
      const run = spawnLedgerpod({ PORT: 'abc', ROLE: 'boss', SECRET_KEY: 'x', DATABASE_URL: 'http://nope' });
      expect(await withinSeconds(run.exit, processMs / 1000, 'exit')).toBe(1);
      const lines = run.output().trim().split('\n');
      expect(lines).toEqual([
        expect.stringMatching(/^config error: PORT: .*expected a port number/),
        expect.stringMatching(/^config error: DATABASE_URL: .*expected a postgres:\/\/ URL/),
        expect.stringMatching(/^config error: SECRET_KEY: .*expected 32 random bytes/),
        expect.stringMatching(/^config error: ROLE: .*expected all\|web\|worker/),
      ]);
      expect(run.output()).not.toMatch(/\n\s+at /);
    },
    2 * processMs,
  );
});
