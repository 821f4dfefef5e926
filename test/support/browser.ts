import { existsSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

// This machine's network is closed: without the background-networking flags Chromium keeps
// dialling Google's hosts and gets refused many times a start.
const quietFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Real headless Chromium: Debian's when installed, else the build @sparticuz/chromium ships in its
 * npm package (no browser download needed). Playwright gives every launch a fresh temporary
 * profile (user-data dir) and deletes it on close.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : await sparticuzExecutable();
  return chromium.launch({ executablePath, headless: true, args: quietFlags });
}

async function sparticuzExecutable(): Promise<string> {
  // Its other default flags (--disable-web-security, --disable-site-isolation-trials, --single-process)
  // would weaken exactly the cross-origin rules the tests check, so only its binary is used.
  const { default: sparticuz } = await import('@sparticuz/chromium');
  // It unpacks to /tmp/chromium and trusts any file already there: test files running in parallel
  // workers must not launch a binary another worker is still writing.
  return withLock(join(tmpdir(), 'ledgerpod-chromium-unpack.lock'), () => sparticuz.executablePath());
}

/** A cross-process lock: `mkdir` is atomic; a lock older than two minutes is a crashed holder's. */
async function withLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(path);
      break;
    } catch {
      const age = Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now());
      if (age > 120_000) await rm(path, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    await rm(path, { recursive: true, force: true });
  }
}

/**
 * The invoice pod's screenshots, and the workbench's close view, that `npm run screens` keeps in
 * docs/screens (the README shows them).
 */
const podScreens = /^(pod|product|demo)-invoice-|^workbench-close-/;

/**
 * Saves a full-page screenshot under test-results/ (gitignored) for a human to look at. With
 * SCREENS_DIR set (`npm run screens`), an invoice pod's state is also saved there, cropped to the
 * pod's frame, so the committed pictures are the real product's and stay small.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(process.cwd(), 'test-results', 'screenshots');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  const screens = process.env.SCREENS_DIR;
  // The pod shown: a record screen's, or the open tab's (the other tabs' frames are hidden).
  const pod = page.locator('iframe.pod-frame:visible').first();
  if (screens && podScreens.test(name) && (await pod.count()) > 0) {
    await mkdir(screens, { recursive: true });
    await pod.screenshot({ path: join(screens, `${name}.png`) });
  }
  return path;
}
