import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMember, seedWith, startConnectWiseSim } from '../../sim/connectwise/index.js';
import { startCwShell } from '../../sim/cw-shell/cw-shell.js';
import type { RunningSim } from '../../sim/kit/listen.js';
import { launchBrowser } from '../support/browser.js';
import { conditionMs, uiActionMs } from '../support/patience.js';
import { buildPodBundles } from './helpers/build-pod-bundles.js';
import { verifyWithCwSim } from './helpers/cw-sim-verifier.js';
import { startTestBackend } from './helpers/test-backend.js';

let browser: Browser;
let cw: Awaited<ReturnType<typeof startConnectWiseSim>>;
let backend: Awaited<ReturnType<typeof startTestBackend>>;
let shell: RunningSim;

beforeAll(async () => {
  const bundles = await buildPodBundles();
  [cw, browser] = await Promise.all([startConnectWiseSim({ seed: seedWith([]) }), launchBrowser()]);
  backend = await startTestBackend(bundles, verifyWithCwSim(cw.url, { jdoe: 'accountant' }));
  shell = await startCwShell({
    podBaseUrl: backend.url,
    cwSimUrl: cw.url,
    members: [
      { identifier: defaultMember.identifier, name: 'Jane Doe', role: 'accountant' },
      // Known to the shell but not to ConnectWise: the simulator refuses to sign it in.
      { identifier: 'ghost', name: 'Ghost', role: 'viewer' },
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([shell?.close(), backend?.close(), cw?.close()]);
});

const podStatus = async (member: string) => {
  const page = await browser.newPage();
  page.setDefaultTimeout(uiActionMs);
  await page.goto(`${shell.url}/invoices/1?member=${member}`);
  const pod = page.frameLocator('iframe.pod-frame');
  const text = () =>
    pod
      .locator('#app')
      .textContent()
      .catch(() => '');
  await expect.poll(text, { timeout: conditionMs }).not.toMatch(/^(Connecting|$)/);
  const result = await text();
  await page.close();
  return result;
};

describe('the shell wired to the ConnectWise simulator by URL', () => {
  it('hands the pod member data that ConnectWise confirms over cookie auth', async () => {
    const since = backend.apiRequests.length;
    // Signed in, the accountant's invoice pod and nothing else: no error, just "no record yet" (this
    // backend keeps none) and the Sync now that only accountants and up get.
    expect(await podStatus('accountant')).toBe(
      'Ledgerpod has no record of this invoice yet and is checking ConnectWise for it. A closed invoice shows up here in a moment; accountants can also sync it now.Sync now',
    );
    expect(backend.sessionRequests.at(-1)).toMatchObject({ memberid: 'jdoe', site: new URL(cw.url).host });
    // Every call the pod made carried the token the backend issued to the member ConnectWise confirmed.
    const calls = backend.apiRequests.slice(since);
    expect(calls.map((c) => c.path)).toContain('/api/v1/records/invoice/1');
    for (const call of calls) {
      expect(call).toMatchObject({ member: { id: 'jdoe', name: 'Jane Doe' }, role: 'accountant' });
    }
    expect(cw.sim.traffic.snapshot().byRoute).toHaveProperty([
      'GET /v4_6_release/apis/3.0/system/myMembers/info',
    ]);
  });

  it('gives the pod no member when ConnectWise does not know them', async () => {
    expect(await podStatus('viewer')).toContain('ConnectWise sent member authentication without a member.');
  });
});
