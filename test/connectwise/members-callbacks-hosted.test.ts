import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyCallbackSignature } from '../../server/connectwise/index.js';
import { buildInvoiceWithGl, defaultMember, seedWith, testClientId } from '../../sim/connectwise/index.js';
import type { CwBehaviours } from '../../sim/connectwise/state.js';
import { listen } from '../../sim/kit/listen.js';
import { type SimAndClient, startSimAndClient } from './support.js';

const invoice = buildInvoiceWithGl({
  number: 'INV-300',
  closed: false,
  lines: [{ description: 'Labor', quantity: 1, unitPrice: 80 }],
});

interface MemberAuthData {
  companyid: string;
  memberid: string;
  memberHash: string;
  memberContext?: string;
  memberEmail: string;
  site: string;
  codeBase: string;
}

/**
 * The member sign-in a pod hands the product, verified with CW over cookie auth. Whether CW issues a
 * memberContext and whether its cookie check needs one is not published (domain.md §8): the product's
 * check runs under each simulator behaviour (CwBehaviours.memberContext).
 */
describe.each<CwBehaviours['memberContext']>(['required', 'unchecked', 'absent'])(
  'members (memberContext %s)',
  (memberContext) => {
    let cw: SimAndClient;
    beforeEach(async () => {
      cw = await startSimAndClient(seedWith([invoice]));
      cw.sim.state.behaviours.memberContext = memberContext;
    });
    afterEach(() => cw.close());

    it('issues CW getmemberauthentication data that passes cookie auth', async () => {
      const data = (await cw.control('/member-auth', {
        memberIdentifier: 'jdoe',
      })) as unknown as MemberAuthData;
      expect(data).toMatchObject({
        companyid: 'ledgerpod',
        memberid: 'jdoe',
        memberEmail: defaultMember.primaryEmail,
        site: `127.0.0.1:${cw.port}`,
        codeBase: 'v4_6_release',
      });
      expect('memberContext' in data).toBe(memberContext !== 'absent');
      expect((await cw.client.verifyMember({ memberContext: '', ...data }))?.identifier).toBe('jdoe');
    });

    it('refuses forged, mismatched and revoked sign-ins', async () => {
      const data = {
        memberContext: '',
        ...((await cw.control('/member-auth', { memberIdentifier: 'jdoe' })) as unknown as MemberAuthData),
      };
      expect(await cw.client.verifyMember({ ...data, memberHash: 'forged' })).toBeNull();
      // Another memberContext is refused only where CW checks it.
      const otherContext = await cw.client.verifyMember({ ...data, memberContext: 'other' });
      if (memberContext === 'required') expect(otherContext).toBeNull();
      else expect(otherContext?.identifier).toBe('jdoe');
      expect(await cw.client.verifyMember({ ...data, companyid: 'othercompany' })).toBeNull();
      await cw.control('/member-auth/revoke', {});
      expect(await cw.client.verifyMember(data)).toBeNull();
    });

    it('accepts cookies only without API keys and only on member endpoints', async () => {
      const data = (await cw.control('/member-auth', {
        memberIdentifier: 'jdoe',
      })) as unknown as MemberAuthData;
      const cookie = `companyName=${data.companyid}; memberHash=${data.memberHash}; memberId=${data.memberid}${data.memberContext === undefined ? '' : `; memberContext=${data.memberContext}`}`;
      const api = cw.api;
      const info = await fetch(`${api}/system/myMembers/info`, {
        headers: { cookie, clientId: testClientId },
      });
      expect(info.status).toBe(200);
      const invoices = await fetch(`${api}/finance/invoices`, {
        headers: { cookie, clientId: testClientId },
      });
      expect(invoices.status).toBe(401);
      expect(await invoices.json()).toMatchObject({ code: 'Unauthorized' });
    });

    it('finds members by identifier with their security role', async () => {
      expect(await cw.client.getMember('JDOE')).toMatchObject({ id: 178, securityRole: { name: 'Admin' } });
      expect(await cw.client.getMember('nobody')).toBeNull();
    });
  },
);

describe('callbacks', () => {
  let cw: SimAndClient;
  let receiver: Awaited<ReturnType<typeof listen>>;
  const received: { raw: string; signature: string | undefined }[] = [];
  beforeEach(async () => {
    cw = await startSimAndClient(seedWith([invoice]));
    received.length = 0;
    const app = express();
    app.post('/cw-callback', express.text({ type: '*/*' }), (req, res) => {
      received.push({ raw: req.body as string, signature: req.get('x-content-signature') });
      res.status(200).end();
    });
    receiver = await listen(app);
  });
  afterEach(async () => {
    await cw.close();
    await receiver.close();
  });

  it('delivers a signed invoice callback when an invoice is closed', async () => {
    const entry = await cw.client.registerCallback({
      description: 'Ledgerpod',
      url: `${receiver.url}/cw-callback`,
      objectId: 1,
      type: 'invoice',
      level: 'owner',
    });
    expect((await cw.client.listCallbacks()).map((c) => c.id)).toEqual([entry.id]);

    await cw.control(`/invoices/${invoice.invoice.id}/close`, {});
    expect(received).toHaveLength(1);
    const [delivery] = received;
    const payload = JSON.parse(delivery!.raw);
    expect(payload).toMatchObject({
      Action: 'updated',
      Type: 'invoice',
      ID: invoice.invoice.id,
      CompanyId: 'ledgerpod',
    });
    expect(JSON.parse(payload.Entity)).toMatchObject({
      invoiceNumber: 'INV-300',
      status: { name: 'Closed' },
    });

    const signingKey = await cw.client.fetchSigningKey(payload.Metadata.key_url);
    expect(verifyCallbackSignature(delivery!.raw, delivery!.signature, signingKey)).toBe(true);
    expect(
      verifyCallbackSignature(delivery!.raw.replace('INV-300', 'INV-301'), delivery!.signature, signingKey),
    ).toBe(false);
    expect(await cw.client.getUnposted('invoices', invoice.invoice.id)).toMatchObject({
      invoiceNumber: 'INV-300',
    });
  });

  it('delivers on PATCH and only to matching registrations', async () => {
    await cw.client.registerCallback({
      description: 'other company',
      url: `${receiver.url}/cw-callback`,
      objectId: 999,
      type: 'invoice',
      level: 'company',
    });
    await cw.client.registerCallback({
      description: 'this company',
      url: `${receiver.url}/cw-callback`,
      objectId: invoice.invoice.company.id,
      type: 'invoice',
      level: 'company',
    });
    const patched = await cw.raw(`/finance/invoices/${invoice.invoice.id}`, {
      method: 'PATCH',
      body: JSON.stringify([{ op: 'replace', path: 'reference', value: 'PO-77' }]),
    });
    expect(patched.status).toBe(200);
    await expect.poll(() => received.length).toBe(1);
    expect(JSON.parse(JSON.parse(received[0]!.raw).Entity)).toMatchObject({ reference: 'PO-77' });
  });

  it('follows CW delivery rules: a 429 is retried, a 5xx is not; 3 days of failures disable the callback; a PATCH re-activates it', async () => {
    let answers = [429, 200, 503];
    const app = express();
    const attempts: number[] = [];
    app.post('/flaky', (_req, res) => {
      const status = answers.shift() ?? 503;
      attempts.push(status);
      res.status(status).end();
    });
    const flaky = await listen(app);
    try {
      const entry = await cw.client.registerCallback({
        description: 'flaky',
        url: `${flaky.url}/flaky`,
        objectId: 1,
        type: 'invoice',
        level: 'owner',
      });
      const state = cw.sim.state;
      await cw.control(`/invoices/${invoice.invoice.id}/close`, {});
      // Retried once after the 429 (CW waits 2 s), then answered.
      expect(attempts).toEqual([429, 200]);
      expect(state.deliveries.at(-1)).toMatchObject({ status: 200, attempts: 2 });
      await cw.control(`/invoices/${invoice.invoice.id}/close`, {});
      expect(attempts).toEqual([429, 200, 503]);
      expect(state.deliveries.at(-1)).toMatchObject({ status: 503, attempts: 1 });
      expect((await cw.client.listCallbacks())[0]).toMatchObject({ inactiveFlag: false });
      answers = [];
      await cw.control('/clock', { advanceMs: 3 * 86_400_000 });
      await cw.control(`/invoices/${invoice.invoice.id}/close`, {});
      expect((await cw.client.listCallbacks())[0]).toMatchObject({ id: entry.id, inactiveFlag: true });
      expect(await cw.client.updateCallback(entry.id, { inactiveFlag: false })).toMatchObject({
        inactiveFlag: false,
      });
      state.behaviours.callbackReactivate = 'recreate-only';
      await cw.control(`/invoices/${invoice.invoice.id}/close`, {});
      await cw.control('/clock', { advanceMs: 3 * 86_400_000 });
      await cw.control(`/invoices/${invoice.invoice.id}/close`, {});
      await expect(cw.client.updateCallback(entry.id, { inactiveFlag: false })).rejects.toMatchObject({
        code: 'cw_invalid_request',
      });
    } finally {
      await flaky.close();
    }
  });

  it('refuses to fetch a signing key from another host', async () => {
    await expect(cw.client.fetchSigningKey('http://169.254.169.254/latest/meta-data')).rejects.toMatchObject({
      code: 'cw_untrusted_url',
    });
  });
});

describe('hosted setups', () => {
  let cw: SimAndClient;
  beforeEach(async () => {
    cw = await startSimAndClient(seedWith([]));
  });
  afterEach(() => cw.close());

  it('lists realistic screens: Company and Invoice, no PurchaseOrder', async () => {
    const screens = (await cw.client.listHostedScreens()).map((s) => s.screenId);
    expect(screens).toEqual(expect.arrayContaining(['Company', 'Invoice']));
    expect(screens).not.toContain('PurchaseOrder');
  });

  it('creates, updates, lists and deletes hosted setups with CW validation', async () => {
    const screens = await cw.client.listHostedScreens();
    const invoiceScreen = screens.find((s) => s.screenId === 'Invoice')!;
    const pod = await cw.client.createHostedSetup({
      screenId: invoiceScreen.id,
      description: 'Ledgerpod sync status',
      url: 'https://ledgerpod.example/pod?id=[cw_id]&screen=[cw_screen]',
      type: 'Pod',
      origin: 'https://ledgerpod.example',
      podHeight: 300,
      disabledFlag: false,
      locationIds: [],
    });
    expect(pod).toMatchObject({ type: 'Pod', screenId: invoiceScreen.id });
    const updated = await cw.client.updateHostedSetup(pod.id, { podHeight: 420 });
    expect(updated.podHeight).toBe(420);
    expect((await cw.client.listHostedSetups()).map((s) => s.id)).toEqual([pod.id]);

    await expect(
      cw.client.createHostedSetup({
        screenId: invoiceScreen.id,
        description: 'x'.repeat(51),
        url: 'https://a',
        type: 'Pod',
      }),
    ).rejects.toMatchObject({ code: 'cw_invalid_request', errors: [{ field: 'description' }] });
    const badType = await cw.raw('/system/connectwisehostedsetups', {
      method: 'POST',
      body: JSON.stringify({ screenId: invoiceScreen.id, description: 'x', url: 'https://a', type: 'Popup' }),
    });
    expect(badType.status).toBe(400);

    await cw.client.deleteHostedSetup(pod.id);
    expect(await cw.client.listHostedSetups()).toEqual([]);
    const state = (await cw.control('/state')) as { hostedSetups: unknown[] };
    expect(state.hostedSetups).toEqual([]);
  });
});
