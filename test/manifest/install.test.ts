import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { absoluteUrl, installHostedApi } from '../../manifest/install.js';
import { type HostedApiManifest, loadManifest, manifestSchema } from '../../manifest/manifest-schema.js';
import { testApiMember, testClientId } from '../../sim/connectwise/index.js';
import { type SimAndClient, startSimAndClient } from '../connectwise/support.js';

const podBaseUrl = 'https://ledgerpod.example.com/';
const cwOrigin = 'https://na.myconnectwise.net';

describe('hosted API installer against the ConnectWise simulator', () => {
  let cw: SimAndClient;
  let manifest: HostedApiManifest;
  const install = (m = manifest) =>
    installHostedApi({
      cw: cw.client,
      manifest: m,
      podBaseUrl,
      cwOrigin,
      clientId: testClientId,
      tenantId: 'tenant-1',
    });
  const setups = async () => ((await cw.control('/state')).hostedSetups as Record<string, unknown>[]) ?? [];

  beforeEach(async () => {
    cw = await startSimAndClient({ apiMembers: [testApiMember] });
    manifest = await loadManifest();
  });
  afterEach(() => cw.close());

  it('first run registers every entry on its screen with absolute URLs pinned to the CW origin', async () => {
    const report = await install();
    expect(report.created.map((c) => `${c.entry}@${c.screen}:${c.type}`)).toEqual([
      'invoice-pod@Invoice:Pod',
      'company-pod@Company:Pod',
      'workbench-tab@Company:Tab',
      'admin-tab@Company:Tab',
    ]);
    expect(report.fellBack).toEqual([]);
    expect(report.skipped).toEqual([]);

    const state = await setups();
    expect(state).toHaveLength(4);
    const invoicePod = state.find((s) => s.description === 'Ledgerpod: accounting sync status')!;
    expect(invoicePod).toMatchObject({
      screenId: 7,
      type: 'Pod',
      podHeight: 320,
      origin: 'https://ledgerpod.example.com',
      clientId: testClientId,
      disabledFlag: false,
      url: 'https://ledgerpod.example.com/pod/?view=invoice&id=[cw_id]&screen=[cw_screen]&tenant=tenant-1&cwOrigin=https%3A%2F%2Fna.myconnectwise.net',
    });
    for (const setup of state) {
      expect(String(setup.url)).toMatch(
        /^https:\/\/ledgerpod\.example\.com\/pod\/\?.*&cwOrigin=https%3A%2F%2Fna\.myconnectwise\.net$/,
      );
      expect(String(setup.description).length).toBeLessThanOrEqual(50);
    }
    expect(state.filter((s) => s.type === 'Tab').every((s) => s.podHeight === null)).toBe(true);
  });

  it('second run changes nothing', async () => {
    await install();
    const before = await setups();
    const report = await install();
    expect(report.created).toEqual([]);
    expect(report.updated).toEqual([]);
    expect(report.unchanged).toHaveLength(4);
    expect(await setups()).toEqual(before);
  });

  it('falls back to a ToolbarButton where the screen is missing and says why', async () => {
    const withPo = manifestSchema.parse({
      ...manifest,
      entries: [
        ...manifest.entries,
        {
          key: 'purchase-order-pod',
          description: 'Ledgerpod: purchase bill',
          type: 'Pod',
          screen: 'PurchaseOrder',
          path: '/pod/?view=purchase&id=[cw_id]&screen=[cw_screen]',
          podHeight: 240,
          fallbacks: [{ type: 'ToolbarButton', screen: 'Company', why: 'bills listed per vendor' }],
        },
        {
          key: 'nowhere',
          description: 'Ledgerpod: nowhere',
          type: 'Tab',
          screen: 'Today',
          path: '/pod/?view=workbench&screen=[cw_screen]',
          fallbacks: [{ type: 'Tab', screen: 'Dashboard', why: 'none' }],
        },
      ],
    });
    const report = await install(withPo);
    expect(report.fellBack).toEqual([
      {
        entry: 'purchase-order-pod',
        screen: 'Company',
        type: 'ToolbarButton',
        reason: expect.stringContaining('no PurchaseOrder screen'),
      },
    ]);
    expect(report.skipped).toEqual([
      { entry: 'nowhere', reason: expect.stringContaining('none of the screens Today, Dashboard') },
    ]);
    const button = (await setups()).find((s) => s.description === 'Ledgerpod: purchase bill');
    expect(button).toMatchObject({ type: 'ToolbarButton', screenId: 2, podHeight: null });

    const again = await install(withPo);
    expect(again.created).toEqual([]);
    expect(again.updated).toEqual([]);
    expect(again.fellBack).toHaveLength(1);
  });

  it('falls back on an instance without an Invoice screen, and reports the old fallback once Invoice appears', async () => {
    cw.sim.state.hostedScreens = cw.sim.state.hostedScreens.filter((s) => s.screenId !== 'Invoice');
    const first = await install();
    expect(first.fellBack.map((f) => [f.entry, f.screen, f.type])).toEqual([
      ['invoice-pod', 'Company', 'ToolbarButton'],
    ]);
    const button = (await setups()).find((s) => s.description === 'Ledgerpod: accounting sync status');
    expect(String(button?.url)).toContain('view=company');

    cw.sim.state.hostedScreens.push({ id: 7, screenId: 'Invoice', name: 'Invoice' });
    const upgraded = await install();
    expect(upgraded.created.map((c) => c.entry)).toEqual(['invoice-pod']);
    expect(upgraded.stale).toEqual([{ entry: 'invoice-pod', id: button?.id, screen: 'Company' }]);
  });

  it('updates an edited URL or height in place, and leaves an admin-disabled setup disabled', async () => {
    const first = await install();
    const invoicePod = first.created.find((c) => c.entry === 'invoice-pod')!;
    await cw.client.updateHostedSetup(invoicePod.id, {
      url: 'https://old.example.com/pod/',
      disabledFlag: true,
    });

    const edited = manifestSchema.parse({
      ...manifest,
      entries: manifest.entries.map((e) => (e.key === 'company-pod' ? { ...e, podHeight: 400 } : e)),
    });
    const report = await install(edited);
    expect(report.created).toEqual([]);
    expect(report.updated.map((u) => [u.entry, u.changed])).toEqual([
      ['invoice-pod', ['url']],
      ['company-pod', ['podHeight']],
    ]);
    const state = await setups();
    expect(state).toHaveLength(4);
    const pod = state.find((s) => s.id === invoicePod.id);
    expect(pod).toMatchObject({ url: invoicePod.url, disabledFlag: true });
  });

  it('keeps CW tokens unencoded when building URLs', () => {
    expect(
      absoluteUrl(
        'https://a.example/',
        '/pod/?id=[cw_id]&screen=[cw_screen]',
        'https://cw.example:8443/x',
        'tenant-1',
      ),
    ).toBe(
      'https://a.example/pod/?id=[cw_id]&screen=[cw_screen]&tenant=tenant-1&cwOrigin=https%3A%2F%2Fcw.example%3A8443',
    );
  });
});
