import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { LedgerKind } from '../../../server/ledgers/ledger.js';
import { startCwShell } from '../../../sim/cw-shell/cw-shell.js';
import type { ShellCompany, ShellInvoice, ShellRecords } from '../../../sim/cw-shell/shell-records.js';
import type { RunningSim } from '../../../sim/kit/listen.js';
import { launchBrowser } from '../../support/browser.js';
import { members } from '../../support/cw-tenant.js';
import { type PipelineWorld, startPipelineWorld } from '../../support/pipeline-world.js';
import { buildPodUi } from './build-pod-bundles.js';

export type Member = keyof typeof members;

export interface RealPod {
  world: PipelineWorld;
  shell: RunningSim;
  browser: Browser;
  /** A simulated ConnectWise screen (`/invoices/7001`, `/today?tab=admin`...) opened as `member`. */
  open(path: string, member: Member, size?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

const name = (m: (typeof members)[Member]) => `${m.firstName} ${m.lastName}`;

/** What the simulated ConnectWise screens list: the CW simulator's own invoices and their companies. */
async function shellRecordsOf(world: PipelineWorld): Promise<Partial<ShellRecords>> {
  const { invoices } = await world.cwState();
  const money = (n: unknown) => Number(n ?? 0).toFixed(2);
  const shown: ShellInvoice[] = invoices.map((i) => ({
    id: i.id,
    invoiceNumber: i.invoiceNumber,
    type: i.type,
    status: i.status?.name ?? '',
    company: { id: i.company.id, name: i.company.name },
    date: String(i.date).slice(0, 10),
    dueDate: String(i.dueDate ?? i.date).slice(0, 10),
    subtotal: money(i.subtotal),
    salesTax: money(i.salesTax),
    total: money(i.total),
    balance: money(i.balance ?? Number(i.total) - Number(i.payments ?? 0) - Number(i.credits ?? 0)),
    currency: i.currency?.currencyCode ?? 'USD',
  }));
  const companies = new Map<number, ShellCompany>();
  for (const i of invoices)
    companies.set(i.company.id, {
      id: i.company.id,
      identifier: i.company.identifier ?? String(i.company.id),
      name: i.company.name,
      phone: '555-0100',
      city: 'Tampa',
      accountNumber: `AR-${i.company.id}`,
    });
  return { invoices: shown, companies: [...companies.values()] };
}

/**
 * The real product (startPipelineWorld: real database, simulators over HTTP, real SDKs) serving the
 * real pod bundle, built into a temp dir; the simulated ConnectWise shell framing it and following
 * the CW simulator live; and real Chromium. One per test file.
 */
export async function startRealPod(
  options: { kind?: LedgerKind; env?: Record<string, string> } = {},
): Promise<RealPod> {
  const podUiDir = join(mkdtempSync(join(tmpdir(), 'ledgerpod-pod-e2e-')), 'pod-ui');
  const [world, browser] = await Promise.all([
    startPipelineWorld(options.kind ?? 'qbo', { env: { POD_UI_DIR: podUiDir, ...options.env } }),
    launchBrowser(),
    buildPodUi(podUiDir),
  ]).then(([w, b]) => [w, b] as const);
  const shell = await startCwShell({
    podBaseUrl: world.pod.url,
    cwSimUrl: world.cw.url,
    members: (['admin', 'accountant', 'viewer'] as const).map((role) => ({
      identifier: members[role].identifier,
      name: name(members[role]),
      role,
    })),
    records: () => shellRecordsOf(world),
  });
  world.pod.frameOrigins.allow(shell.url);
  return {
    world,
    shell,
    browser,
    async open(path, member, size = { width: 1280, height: 800 }) {
      const page = await browser.newPage({ viewport: size, acceptDownloads: true });
      page.setDefaultTimeout(5_000);
      await page.goto(`${shell.url}${path}${path.includes('?') ? '&' : '?'}member=${member}`);
      return page;
    },
    async close() {
      await browser.close();
      await shell.close();
      await world.close();
      rmSync(dirname(podUiDir), { recursive: true, force: true });
    },
  };
}

/** The first Ledgerpod frame on a record screen, or a tab's frame (`[data-panel=admin] iframe`). */
export const podFrame = (page: Page, selector = 'iframe.pod-frame'): FrameLocator =>
  page.frameLocator(selector).first();

/** Waits for the UI to settle; each read gives up quickly so the poll, not Playwright, owns the wait. */
export const eventually = <T>(read: () => T | Promise<T>, timeout = 20_000) =>
  expect.poll(read, { timeout, interval: 50 });

/** The state badge's state, or null while there is none. */
export const stateOf = (pod: FrameLocator) =>
  pod
    .getByTestId('record-state')
    .getAttribute('data-state', { timeout: 200 })
    .catch(() => null);

/** Every state the badge shows until `last`, as a person watching the screen would see them. */
export async function watchStates(pod: FrameLocator, last: string, timeoutMs = 30_000): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = (await stateOf(pod)) ?? 'none';
    if (seen.at(-1) !== state) seen.push(state);
    if (state === last) return seen;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never reached ${last}; saw ${seen.join(' -> ')}`);
}

/** Whether the element has the keyboard focus inside its frame. */
export const focused = (locator: ReturnType<FrameLocator['getByTestId']>) =>
  locator.evaluate((el) => el === document.activeElement);
