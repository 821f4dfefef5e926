import type { Page } from 'playwright-core';
import { uiActionMs } from '../../support/patience.js';
import type { Member, RealPod } from './real-pod.js';

/**
 * A simulated ConnectWise screen opened as `member` (as RealPod.open does) in a browser with the
 * given locale and time zone; `beforeOpen` runs before the page loads (to hold a request, say).
 */
export async function openAs(
  pod: RealPod,
  path: string,
  member: Member,
  as: { locale?: string; timezoneId?: string; beforeOpen?(page: Page): Promise<unknown> },
): Promise<Page> {
  const { beforeOpen, ...place } = as;
  const page = await pod.browser.newPage({
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    ...place,
  });
  page.setDefaultTimeout(uiActionMs);
  await beforeOpen?.(page);
  await page.goto(`${pod.shell.url}${path}${path.includes('?') ? '&' : '?'}member=${member}`);
  return page;
}
