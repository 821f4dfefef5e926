import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processMs } from '../support/patience.js';
import { spawnLedgerpod } from '../support/spawn-ledgerpod.js';
import { until, within } from '../support/wait.js';

/** Polls `url` until it answers `status`; the start-up's ceiling is the shared process one. */
const answers = (url: string, status: number, timeoutMs = processMs) =>
  until(
    `${url} answering ${status}`,
    async () => ((await fetch(url).catch(() => undefined))?.status === status ? true : undefined),
    {
      timeoutMs,
      intervalMs: 200,
    },
  );

describe('the start command', () => {
  it(
    'with no configuration serves /healthz and /readyz, stops on SIGTERM, and starts again on the same data',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'ledgerpod-start-'));
      const env = { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
      const started = Date.now();
      const first = spawnLedgerpod(env);
      try {
        const url = await within(first.url, processMs, 'start-up', first.output);
        await answers(`${url}/healthz`, 200, processMs - (Date.now() - started));
        await answers(`${url}/readyz`, 200, processMs - (Date.now() - started));
        // The process's own health is on /metrics for whoever watches it: memory, event-loop lag.
        const metrics = await (await fetch(`${url}/metrics`)).text();
        expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
        expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds /m);
      } finally {
        expect(await first.stop('SIGTERM')).toBe(0);
      }

      const second = spawnLedgerpod(env);
      try {
        const url = await within(second.url, processMs, 'restart', second.output);
        await answers(`${url}/readyz`, 200);
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
      expect(await within(run.exit, processMs, 'exit', run.output)).toBe(1);
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
