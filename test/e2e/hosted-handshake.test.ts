import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCwShell } from '../../sim/cw-shell/cw-shell.js';
import type { RunningSim } from '../../sim/kit/listen.js';
import { launchBrowser, screenshot } from '../support/browser.js';
import { conditionMs, quietMs, uiActionMs } from '../support/patience.js';
import { buildPodBundles } from './helpers/build-pod-bundles.js';
import { memberDirectory } from './helpers/member-directory.js';
import { startForeignSite, startTestBackend } from './helpers/test-backend.js';

const directory = memberDirectory([
  { identifier: 'vera', name: 'Vera Viewer', role: 'viewer' },
  { identifier: 'alice', name: 'Alice Accountant', role: 'accountant' },
  { identifier: 'adam', name: 'Adam Admin', role: 'admin' },
  { identifier: 'gone', name: 'Gone Member', role: 'viewer', revoked: true },
]);

interface LogEntry {
  dir: 'in' | 'out';
  frame: string;
  message: Record<string, unknown>;
}

let browser: Browser;
let backend: Awaited<ReturnType<typeof startTestBackend>>;
let foreign: RunningSim;
let shell: RunningSim;
let page: Page;

beforeAll(async () => {
  const bundles = await buildPodBundles();
  [backend, foreign, browser] = await Promise.all([
    startTestBackend(bundles, directory.verify),
    startForeignSite(),
    launchBrowser(),
  ]);
  shell = await startCwShell({
    podBaseUrl: backend.url,
    members: directory.members,
    memberAuth: directory.memberAuth,
    pods: {
      // The invoice screen hosts the real pod; the company screen a test pod that holds beforeSave.
      company: [{ url: `${backend.url}/test-pod/test-pod.html?screen=[cw_screen]&id=[cw_id]`, height: 240 }],
    },
  });
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([shell?.close(), backend?.close(), foreign?.close()]);
});

async function open(url: string): Promise<Page> {
  page = await browser.newPage();
  page.setDefaultTimeout(uiActionMs);
  await page.goto(url);
  return page;
}

/** Waits for the UI to settle; each read gives up quickly so the poll, not Playwright, owns the wait. */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: conditionMs, interval: 50 });

/**
 * The real invoice pod shows no member name, so sign-in is proven where it counts: every call the
 * pod made for records since `since` (the page's opening) carried a token the backend issued to exactly this
 * member and role, and the pod renders the signed-in view for that role (Sync now from accountant
 * up, nothing for viewers). The test backend keeps no records, hence "no record of this invoice".
 */
async function expectSignedIn(
  p: Page,
  cwId: string,
  member: { id: string; name: string },
  role: 'viewer' | 'accountant' | 'admin',
  since: number,
) {
  const pod = p.frameLocator('iframe.pod-frame');
  const path = `/api/v1/records/invoice/${cwId}`;
  await eventually(async () => backend.apiRequests.slice(since).filter((r) => r.path === path).length).toBe(
    1,
  );
  const calls = backend.apiRequests.slice(since).filter((r) => r.path.startsWith('/api/v1/records/'));
  for (const call of calls) expect(call).toEqual({ method: 'GET', path: call.path, member, role });
  await eventually(() => pod.getByTestId('record-empty').isVisible()).toBe(true);
  expect(await pod.getByRole('alert').count()).toBe(0);
  const syncButtons = pod.getByRole('button', { name: 'Sync now' });
  expect(await syncButtons.count()).toBe(role === 'viewer' ? 0 : 1);
}

const shellLog = (p: Page) =>
  p.evaluate(() => (window as unknown as { cwShell: { log: LogEntry[] } }).cwShell.log);

describe('the ConnectWise shell and a pod', () => {
  it('complete ready -> MessageFrameID -> getMemberAuthentication, and the backend verifies the member', async () => {
    const since = backend.apiRequests.length;
    const p = await open(`${shell.url}/invoices/1?member=accountant`);
    await expectSignedIn(p, '1', { id: 'alice', name: 'Alice Accountant' }, 'accountant', since);
    await screenshot(p, 'invoice-screen-signed-in');

    const log = await shellLog(p);
    const [ready, frameId, request, response] = log.filter((e) => !('event' in e.message));
    expect(ready).toMatchObject({ dir: 'in', message: { message: 'ready' } });
    expect(frameId).toMatchObject({ dir: 'out', message: { MessageFrameID: ready!.frame } });
    expect(request).toMatchObject({
      dir: 'in',
      message: { hosted_request: 'getMemberAuthentication', frameID: ready!.frame },
    });
    expect(response).toMatchObject({
      dir: 'out',
      message: {
        response: 'getmemberauthentication',
        data: { memberid: 'alice', companyid: 'ledgerpod_demo' },
      },
    });
    expect(backend.sessionRequests.at(-1)).toMatchObject({ memberid: 'alice', site: 'na.myconnectwise.net' });
    // domain.md §8: every message the pod sends after `ready` (requests and acknowledgements) carries
    // its frame's frameID, as CW's own client script does.
    await eventually(async () =>
      (await shellLog(p)).some((e) => e.dir === 'in' && 'event' in e.message),
    ).toBe(true);
    const sent = (await shellLog(p)).filter((e) => e.dir === 'in' && e.message.message !== 'ready');
    expect(sent.length).toBeGreaterThanOrEqual(2);
    for (const entry of sent) expect(entry.message.frameID).toBe(entry.frame);
    await p.close();
  });

  it('reads a getMemberAuthentication failure from its errors: the session has expired', async () => {
    const session = (signedIn: boolean) =>
      fetch(`${shell.url}/__shell/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ member: 'viewer', signedIn, answer: 'errors' }),
      });
    expect((await session(false)).status).toBe(200);
    const since = backend.sessionRequests.length;
    const p = await open(`${shell.url}/invoices/4?member=viewer`);
    const alert = p.frameLocator('iframe.pod-frame').getByRole('alert');
    await eventually(() => alert.textContent().catch(() => '')).toContain(
      'Your ConnectWise session has expired.',
    );
    // CW's own reason is shown, not "without a member" (the failure was read from errors).
    expect(await alert.locator('.problem-message').textContent()).toBe(
      'ConnectWise could not answer getMemberAuthentication: The member session has expired.',
    );
    const answered = (await shellLog(p)).find((e) => e.dir === 'out' && 'response' in e.message);
    expect(answered?.message).toMatchObject({ errors: ['The member session has expired'] });
    // The failure was not taken for an answer: nothing was sent to the backend to verify.
    expect(backend.sessionRequests.length).toBe(since);
    expect((await session(true)).status).toBe(200);
    await p.close();
  });

  it('signs in whichever member the header switcher picks', async () => {
    const before = backend.apiRequests.length;
    const p = await open(`${shell.url}/invoices/2?member=accountant`);
    await expectSignedIn(p, '2', { id: 'alice', name: 'Alice Accountant' }, 'accountant', before);
    const since = backend.apiRequests.length;
    await p.getByLabel('Member').selectOption('admin');
    await p.waitForURL(/member=admin/);
    await expectSignedIn(p, '2', { id: 'adam', name: 'Adam Admin' }, 'admin', since);
    await p.close();
  });

  it('shows the backend error and its hint when the member does not verify', async () => {
    const p = await open(`${shell.url}/invoices/1?member=gone`);
    const alert = p.frameLocator('iframe.pod-frame').getByRole('alert');
    await eventually(() => alert.textContent()).toContain('ConnectWise did not confirm who you are.');
    expect(await alert.textContent()).toContain('Sign in to ConnectWise again');
    await p.close();
  });

  it('acknowledges onLoad with the screen object', async () => {
    const p = await open(`${shell.url}/invoices/3?member=viewer`);
    await eventually(() => p.locator('iframe.pod-frame').getAttribute('data-on-load')).toBe('success');
    const log = await shellLog(p);
    const sent = log.find((e) => e.dir === 'out' && e.message.event === 'onLoad');
    expect(sent?.message.data).toEqual({ screenObject: { screen: 'Invoice', id: '3', hostedAs: 'pod' } });
    expect(log).toContainEqual(
      expect.objectContaining({
        dir: 'in',
        message: { event: 'onLoad', _id: sent!.message._id, result: 'success', frameID: expect.any(String) },
      }),
    );
    await p.close();
  });

  it('holds Save until the pod acknowledges beforeSave', async () => {
    const p = await open(`${shell.url}/companies/19?member=accountant`);
    const pod = p.frameLocator('iframe.pod-frame');
    await eventually(() => pod.locator('#member').textContent()).toBe('alice');
    await pod.getByRole('button', { name: 'Mark dirty' }).click();
    await eventually(() => p.locator('#dirty-flag').isVisible()).toBe(true);

    await p.getByRole('button', { name: 'Save' }).click();
    await eventually(() => pod.locator('#state').textContent()).toBe('beforeSave pending');
    // A quiet window: Save must still be held after it (a hold that lapsed would show Saved).
    await p.waitForTimeout(quietMs(300));
    expect(await p.locator('#save-status').textContent()).toBe('Saving…');
    await screenshot(p, 'company-screen-saving');

    await pod.getByRole('button', { name: 'Allow save' }).click();
    await eventually(() => p.locator('#save-status').textContent()).toBe('Saved');
    expect(await p.locator('#dirty-flag').isVisible()).toBe(false);
    await p.close();
  });

  it('lists invoices and opens one for the same member', async () => {
    const since = backend.apiRequests.length;
    const p = await open(`${shell.url}/?member=viewer`);
    await p.getByRole('link', { name: 'INV-1002' }).click();
    await p.waitForURL(/\/invoices\/2\?member=viewer$/);
    await expectSignedIn(p, '2', { id: 'vera', name: 'Vera Viewer' }, 'viewer', since);
    await p.close();
  });

  it('loads a Today tab when it is opened, hosted as a tab', async () => {
    const p = await open(`${shell.url}/today?member=admin&tab=calendar`);
    expect(await p.locator('iframe.pod-frame').first().getAttribute('src')).toBeNull();
    await p.getByRole('tab', { name: 'Ledgerpod Admin' }).click();
    const admin = p.locator('[data-panel=admin] iframe');
    await eventually(() => admin.getAttribute('data-on-load')).toBe('success');
    expect(await admin.getAttribute('src')).toContain('view=admin&screen=Today');
    const sent = (await shellLog(p)).find((e) => e.message.event === 'onLoad');
    expect(sent?.message.data).toMatchObject({ screenObject: { hostedAs: 'tab' } });
    await screenshot(p, 'today-admin-tab');
    await p.close();
  });
});

describe('the pod session', () => {
  it('renews the token with fresh member authentication and keeps it out of cookies and storage', async () => {
    backend.settings.sessionTtlMs = 1_500;
    const podUrl = `${backend.url}/test-pod/test-pod.html?session=1&renewBeforeMs=1000&id=[cw_id]`;
    const renewing = await startCwShell({
      podBaseUrl: backend.url,
      members: directory.members,
      memberAuth: directory.memberAuth,
      pods: { company: [{ url: podUrl, height: 300 }] },
    });
    try {
      const p = await open(`${renewing.url}/companies/19?member=accountant`);
      const pod = p.frameLocator('iframe.pod-frame');
      await eventually(() => pod.locator('#session').textContent()).toBe('Alice Accountant');
      const signIns = () => backend.sessionRequests.filter((r) => r.memberid === 'alice').length;
      const before = signIns();
      // Tokens live 1.5 s and renew 1 s early: two more sign-ins within a few seconds.
      await eventually(async () => signIns() - before).toBeGreaterThanOrEqual(2);
      const hashes = backend.sessionRequests.filter((r) => r.memberid === 'alice').map((r) => r.memberHash);
      expect(new Set(hashes).size).toBe(hashes.length); // each renewal asked ConnectWise afresh

      await pod.getByRole('button', { name: 'Call API' }).click();
      await eventually(() => pod.locator('#api').textContent()).toMatch(/^200 /);
      const answer = JSON.parse((await pod.locator('#api').textContent())!.slice(4));
      expect(answer).toMatchObject({ member: 'alice', cookie: null });
      expect(JSON.parse((await pod.locator('#storage').textContent())!)).toEqual({
        cookie: '',
        local: 0,
        session: 0,
      });
      await p.close();
    } finally {
      backend.settings.sessionTtlMs = 15 * 60_000;
      await renewing.close();
    }
  });
});

describe('messages from origins other than ConnectWise', () => {
  it('are ignored when a foreign page frames the pod and answers its ready', async () => {
    const podUrl = `${backend.url}/test-pod/test-pod.html?cwOrigin=${encodeURIComponent(shell.url)}&handshakeMs=1500`;
    const p = await open(`${foreign.url}/forger.html?pod=${encodeURIComponent(podUrl)}`);
    const state = p.frameLocator('iframe').locator('#state');
    await eventually(() => state.textContent()).toContain('no_handshake');
    expect(await state.textContent()).toContain(
      `a page at ${foreign.url} answered, but only ${shell.url} is ConnectWise`,
    );
    // The pod addressed even its ready to ConnectWise's origin, so the forger heard nothing at all.
    const received = await p.evaluate(
      () => (window as unknown as { forger: { received: string[] } }).forger.received,
    );
    expect(received).toEqual([]);
    await p.close();
  });

  it('are ignored when a sibling frame in the ConnectWise screen forges them', async () => {
    const guarded = await startCwShell({
      podBaseUrl: backend.url,
      members: directory.members,
      memberAuth: directory.memberAuth,
      pods: {
        company: [
          { url: `${backend.url}/test-pod/test-pod.html?id=[cw_id]`, height: 200 },
          { url: `${foreign.url}/forger.html?sibling=1`, height: 40, title: 'Another vendor' },
        ],
      },
    });
    try {
      const p = await open(`${guarded.url}/companies/20?member=viewer`);
      const pod = p.frameLocator('iframe.pod-frame').first();
      await eventually(() => pod.locator('#member').textContent()).toBe('vera');
      const frameId = await pod.locator('#frame').textContent();
      expect(frameId).toMatch(/^frame-/);
      await p.waitForTimeout(quietMs(500)); // a quiet window: the forger keeps posting; nothing it sends may land
      expect(await pod.locator('#member').textContent()).toBe('vera');
      expect(await pod.locator('#events').textContent()).not.toContain('forged-save');
      await p.close();
    } finally {
      await guarded.close();
    }
  });
});

describe('the pod outside ConnectWise', () => {
  it('says plainly that it is not inside ConnectWise', async () => {
    const p = await open(`${backend.url}/pod/?view=invoice&id=1`);
    await eventually(() => p.getByRole('status').textContent()).toContain('Not inside ConnectWise');
    await p.close();
  });
});
