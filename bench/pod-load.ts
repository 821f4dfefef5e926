/**
 * The pod in Chromium: from the moment the pod's iframe starts loading to the invoice's status on
 * screen, in the demo (the product started as `npm start` starts it with no configuration: demo
 * simulators, demo tenant, simulated ConnectWise screens). Median of N fresh page loads.
 *
 *   npx tsx bench/pod-load.ts [--loads 20]
 *
 * Builds the pod into dist/pod-ui first, as `npm start` does (`--build no` skips that).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser } from '../test/support/browser.js';
import { spawnLedgerpod } from '../test/support/spawn-ledgerpod.js';
import { flag, header, percentile } from './support/machine.js';

const loads = Number(flag('loads', '20'));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
// As `npm start` does: build the pod UI into dist/pod-ui first (a stale build there may not speak
// the current hosted-API protocol of the simulated ConnectWise screens).
if (flag('build', 'yes') !== 'no' || !existsSync('dist/pod-ui/index.html')) {
  execFileSync('npx', ['vite', 'build', '--config', 'pod-ui/vite.config.ts', '--logLevel', 'warn'], {
    stdio: 'inherit',
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'ledgerpod-pod-load-'));
// PUBLIC_URL on 127.0.0.1: the demo registers the shell's 127.0.0.1 origin as the one allowed to frame
// the pod, while by default it links the pod (and prints the shell) at localhost; see bench/RESULTS.md.
const port = await freePort();
const demo = spawnLedgerpod({
  DEMO: 'on',
  DATA_DIR: dataDir,
  PORT: String(port),
  PUBLIC_URL: `http://127.0.0.1:${port}`,
  LOG_LEVEL: 'warn',
});
const browser = await launchBrowser();
try {
  await demo.url;
  // The demo prints the simulated ConnectWise once its tenant and screens are set up.
  for (
    let waited = 0;
    !/Open the simulated ConnectWise: /.test(demo.output()) && waited < 120_000;
    waited += 100
  ) {
    if (demo.child.exitCode !== null) throw new Error(`the demo exited:\n${demo.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // The demo prints the shell at localhost; the pod allows being framed by the address it registered.
  const shellUrl = /Open the simulated ConnectWise: (\S+)\/invoices/
    .exec(demo.output())?.[1]
    ?.replace('localhost', '127.0.0.1');
  if (!shellUrl) throw new Error(`no shell URL in:\n${demo.output()}`);
  const list = await (await fetch(`${shellUrl}/invoices`)).text();
  const invoicePath = /href="([^"]*\/invoices\/\d+[^"]*)"/.exec(list)?.[1]?.replaceAll('&amp;', '&');
  if (!invoicePath) throw new Error('no invoice link on the demo invoice list');
  const target = new URL(invoicePath, shellUrl).toString();

  interface Sample {
    status: number;
    inPage: number;
    answered: number;
    domContentLoaded: number;
    script: number;
    sessionStart: number;
    sessionEnd: number;
    recordEnd: number;
    total: number;
  }
  const samples: Sample[] = [];
  // One warm-up load (server JIT, Vite chunks into the OS cache), then fresh contexts: no HTTP cache.
  for (let i = 0; i <= loads; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // In every frame from its first byte: the moment the status element enters the pod's DOM, on the
    // frame's own clock (Playwright's detection adds its polling and a CDP round trip on top).
    await context.addInitScript(() => {
      new MutationObserver((_changes, observer) => {
        if (!document.querySelector('[data-testid="record-state"]')) return;
        (window as unknown as { statusInDomAt?: number }).statusInDomAt = performance.now();
        observer.disconnect();
      }).observe(document, { childList: true, subtree: true });
    });
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(target);
    const frame = await (await page.waitForSelector('iframe.pod-frame')).contentFrame();
    if (!frame) throw new Error('the pod iframe has no frame');
    await frame.waitForSelector('[data-testid="record-state"]', { timeout: 15_000 });
    const seenAt = Date.now();
    // The frame's clock starts at its navigation start; its timeOrigin is on the same wall clock.
    const timing = await frame.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      // No named helper functions in here: tsx would wrap them in a __name() the page does not have.
      const session = resources.find((r) => r.name.includes('/api/v1/session'));
      const record = resources.find((r) => r.name.includes('/api/v1/records/'));
      const script = resources.find((r) => r.initiatorType === 'script' || /\/assets\/.*\.js$/.test(r.name));
      return {
        timeOrigin: performance.timeOrigin,
        domContentLoaded: nav?.domContentLoadedEventEnd ?? Number.NaN,
        // The status arrives with the sign-in when the pod asks for it there, else with its own GET.
        statusAnswered: record?.responseEnd ?? session?.responseEnd ?? Number.NaN,
        script: script?.responseEnd ?? Number.NaN,
        sessionStart: session?.startTime ?? Number.NaN,
        sessionEnd: session?.responseEnd ?? Number.NaN,
        recordEnd: record?.responseEnd ?? Number.NaN,
        inPage: (window as unknown as { statusInDomAt?: number }).statusInDomAt ?? Number.NaN,
      };
    });
    const statusAt = seenAt - timing.timeOrigin;
    if (i > 0)
      samples.push({
        status: statusAt,
        inPage: timing.inPage,
        answered: timing.statusAnswered,
        domContentLoaded: timing.domContentLoaded,
        script: timing.script,
        sessionStart: timing.sessionStart,
        sessionEnd: timing.sessionEnd,
        recordEnd: timing.recordEnd,
        total: seenAt - t0,
      });
    await context.close();
  }
  const sorted = (pick: (s: Sample) => number) => samples.map(pick).sort((a, b) => a - b);
  const median = (pick: (s: Sample) => number) => percentile(sorted(pick), 50);
  const status = sorted((s) => s.status);
  const dcl = sorted((s) => s.domContentLoaded);
  const answered = sorted((s) => s.answered);
  const total = sorted((s) => s.total);
  const ms = (n: number) => (Number.isNaN(n) ? 'none' : `${n.toFixed(0)} ms`);
  console.log(
    `\n${[
      header('Pod load in Chromium (bench/pod-load.ts)', {
        setup: `demo (DEMO=on, embedded database), headless Chromium via test/support/browser.ts, ${loads} loads in fresh contexts (no HTTP cache) after one warm-up`,
        page: target.replace(/\?.*/, ''),
      }),
      '',
      `iframe navigation start -> status on screen (seen by Playwright): median ${ms(percentile(status, 50))}, p90 ${ms(percentile(status, 90))}, min ${ms(status[0]!)}, max ${ms(status.at(-1)!)} (target <= 300 ms)`,
      `iframe navigation start -> pod DOMContentLoaded: median ${ms(percentile(dcl, 50))}`,
      `iframe navigation start -> status element in the pod's DOM (MutationObserver in the frame): median ${ms(median((s) => s.inPage))}`,
      `iframe navigation start -> status answer received (resource timing; GET /api/v1/records/... or the sign-in that carries it): median ${ms(percentile(answered, 50))}`,
      `  pod script loaded ${ms(median((s) => s.script))}; POST /api/v1/session sent ${ms(median((s) => s.sessionStart))}, answered ${ms(median((s) => s.sessionEnd))}; GET /api/v1/records/... answered ${ms(median((s) => s.recordEnd))} (medians)`,
      `whole ConnectWise page (goto) -> status seen by the test: median ${ms(percentile(total, 50))}`,
      ...samples
        .filter((x) => x.status === status.at(-1))
        .map(
          (x) =>
            `slowest load: status seen ${ms(x.status)}, in the DOM ${ms(x.inPage)}; script ${ms(x.script)}, sign-in sent ${ms(x.sessionStart)}, answered ${ms(x.sessionEnd)}, GET answered ${ms(x.recordEnd)}`,
        ),
    ].join('\n')}\n`,
  );
} finally {
  await browser.close();
  await demo.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
