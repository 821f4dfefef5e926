import type { Browser, FrameLocator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { startCwShell } from '../../../sim/cw-shell/cw-shell.js';
import type { RunningSim } from '../../../sim/kit/listen.js';
import { launchBrowser } from '../../support/browser.js';
import { buildPodBundles } from '../helpers/build-pod-bundles.js';
import { memberDirectory } from '../helpers/member-directory.js';
import { type StandInBackend, startStandInBackend } from './stand-in-backend.js';

export const directory = memberDirectory([
  { identifier: 'vera', name: 'Vera Viewer', role: 'viewer' },
  { identifier: 'alice', name: 'Alice Accountant', role: 'accountant' },
  { identifier: 'adam', name: 'Adam Admin', role: 'admin' },
]);

export interface Harness {
  browser: Browser;
  backend: StandInBackend;
  shell: RunningSim;
  close(): Promise<void>;
}

/** The built pod served by the stand-in backend, framed by the real demo ConnectWise shell. */
export async function startHarness(): Promise<Harness> {
  const bundles = await buildPodBundles();
  const [backend, browser] = await Promise.all([
    startStandInBackend(bundles, directory.verify),
    launchBrowser(),
  ]);
  const shell = await startCwShell({
    podBaseUrl: backend.url,
    members: directory.members,
    memberAuth: directory.memberAuth,
  });
  return {
    browser,
    backend,
    shell,
    async close() {
      await browser.close();
      await Promise.all([shell.close(), backend.close()]);
    },
  };
}

export async function openPage(h: Harness, path: string, size = { width: 1280, height: 800 }): Promise<Page> {
  const page = await h.browser.newPage({ viewport: size });
  page.setDefaultTimeout(3_000);
  await page.goto(`${h.shell.url}${path}`);
  return page;
}

/** The first Ledgerpod frame on the page (invoice/company pod) or the tab's frame. */
export const podFrame = (page: Page, selector = 'iframe.pod-frame'): FrameLocator =>
  page.frameLocator(selector).first();

/** Waits for the UI to settle; each read gives up quickly so the poll, not Playwright, owns the wait. */
export const eventually = <T>(read: () => T | Promise<T>, timeout = 10_000) =>
  expect.poll(read, { timeout, interval: 50 });
