import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { LedgerKind } from '../../../server/ledgers/ledger.js';
import { startCwShell } from '../../../sim/cw-shell/cw-shell.js';
import { invoiceEditorFromCwSim } from '../../../sim/cw-shell/invoice-editor.js';
import type { ShellCompany, ShellInvoice, ShellRecords } from '../../../sim/cw-shell/shell-records.js';
import type { RunningSim } from '../../../sim/kit/listen.js';
import { launchBrowser } from '../../support/browser.js';
import { members } from '../../support/cw-tenant.js';
import { conditionMs, readMs, uiActionMs } from '../../support/patience.js';
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
  const state = (await world.cwState()) as Awaited<ReturnType<PipelineWorld['cwState']>> & {
    billingStatuses?: { id: number; name: string; inactiveFlag?: boolean }[];
  };
  const { invoices } = state;
  const money = (n: unknown) => Number(n ?? 0).toFixed(2);
  const shown: ShellInvoice[] = invoices.map((i) => ({
    id: i.id,
    invoiceNumber: i.invoiceNumber,
    type: i.type,
    status: i.status?.name ?? '',
    statusId: i.status?.id,
    company: { id: i.company.id, name: i.company.name ?? '' },
    date: String(i.date).slice(0, 10),
    dueDate: String(i.dueDate ?? i.date).slice(0, 10),
    subtotal: money(i.subtotal),
    salesTax: money(i.salesTax),
    total: money(i.total),
    balance: money(i.balance ?? Number(i.total) - Number(i.payments ?? 0) - Number(i.credits ?? 0)),
    currency: (i.currency as { currencyCode?: string } | undefined)?.currencyCode ?? 'USD',
  }));
  const companies = new Map<number, ShellCompany>();
  for (const i of invoices)
    companies.set(i.company.id, {
      id: i.company.id,
      identifier: i.company.identifier ?? String(i.company.id),
      name: i.company.name ?? '',
      phone: '555-0100',
      city: 'Tampa',
      accountNumber: `AR-${i.company.id}`,
    });
  const billingStatuses = (state.billingStatuses ?? [])
    .filter((s) => !s.inactiveFlag)
    .map((s) => ({ id: s.id, name: s.name }));
  return { invoices: shown, companies: [...companies.values()], billingStatuses };
}

/**
 * The real product (startPipelineWorld: real database, simulators over HTTP, real SDKs) serving the
 * real pod bundle, built into a temp dir; the simulated ConnectWise shell framing it and following
 * the CW simulator live; and real Chromium. One per test file.
 */
export async function startRealPod(
  options: {
    kind?: LedgerKind;
    env?: Record<string, string>;
    /** The invoice screen edits its number and status, with ConnectWise's Save (beforeSave, reload). */
    editable?: boolean;
  } = {},
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
    // A person's Save on the invoice screen: the CW simulator applies it as its PATCH would.
    ...(options.editable ? { invoiceEditor: invoiceEditorFromCwSim(world.cw.url) } : {}),
  });
  world.pod.frameOrigins.allow(shell.url);
  return {
    world,
    shell,
    browser,
    async open(path, member, size = { width: 1280, height: 800 }) {
      const page = await browser.newPage({ viewport: size, acceptDownloads: true });
      page.setDefaultTimeout(uiActionMs);
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
export const eventually = <T>(read: () => T | Promise<T>, timeout = conditionMs) =>
  expect.poll(read, { timeout, interval: 50 });

/** The state badge's state, or null while there is none. */
export const stateOf = (pod: FrameLocator) =>
  pod
    .getByTestId('record-state')
    .getAttribute('data-state', { timeout: readMs })
    .catch(() => null);

/**
 * Every state the badge shows from just before `action` until `last`, as a person watching the
 * screen would see them. An observer inside the pod writes down each change, so a busy machine
 * reading slowly from here cannot miss a short-lived state (polling from the test did, on CI).
 */
export async function watchStates(
  pod: FrameLocator,
  last: string,
  action: () => Promise<unknown>,
  timeoutMs = conditionMs,
): Promise<string[]> {
  const body = pod.locator('body');
  await body.evaluate(() => {
    const seen: string[] = [];
    const read = () => {
      const state =
        document.querySelector('[data-testid=record-state]')?.getAttribute('data-state') ?? 'none';
      if (seen.at(-1) !== state) seen.push(state);
    };
    read();
    new MutationObserver(read).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-state'],
    });
    (window as unknown as { seenStates: string[] }).seenStates = seen;
  });
  await action();
  const seenSoFar = () => body.evaluate(() => (window as unknown as { seenStates: string[] }).seenStates);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await seenSoFar();
    if (seen.includes(last)) return seen.slice(0, seen.indexOf(last) + 1);
    if (Date.now() > deadline) throw new Error(`never reached ${last}; saw ${seen.join(' -> ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether the element has the keyboard focus inside its frame. */
export const focused = (locator: ReturnType<FrameLocator['getByTestId']>) =>
  locator.evaluate((el) => el === document.activeElement);
