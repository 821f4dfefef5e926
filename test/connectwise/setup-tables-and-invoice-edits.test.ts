import type { components } from 'connectwise-rest/dist/ManageTypes.js';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BillingTerm, parseGlEntryIds, type SecurityRole } from '../../server/connectwise/index.js';
import { buildInvoiceWithGl, seedWith } from '../../sim/connectwise/index.js';
import { listen } from '../../sim/kit/listen.js';
import { type SimAndClient, startSimAndClient } from './support.js';

type Cw = components['schemas'];
type Assignable<Ours extends Theirs, Theirs> = Ours extends Theirs ? true : never;

const open = buildInvoiceWithGl({
  number: 'INV-501',
  closed: false,
  lines: [{ description: 'Onsite labour', quantity: 4, unitPrice: 125 }],
});
const piped = buildInvoiceWithGl({
  number: 'INV|502',
  lines: [{ description: 'Onsite labour', quantity: 1, unitPrice: 125 }],
});
const other = buildInvoiceWithGl({
  number: 'INV-503',
  lines: [{ description: 'Managed services', quantity: 1, unitPrice: 900 }],
});

const patch = (cw: SimAndClient, id: number, operations: unknown) =>
  cw.raw(`/finance/invoices/${id}`, { method: 'PATCH', body: JSON.stringify(operations) });

describe('CW setup tables: billing terms and security roles', () => {
  let cw: SimAndClient;
  beforeEach(async () => {
    cw = await startSimAndClient(seedWith([]));
  });
  afterEach(() => cw.close());

  it('keeps schema outputs assignable to the connectwise-rest wire types', () => {
    // dueDays is required in CW's type but unused here and left unchecked, so it is left out.
    const checks: [
      Assignable<BillingTerm, Omit<Cw['BillingTerm'], 'dueDays'>>,
      Assignable<SecurityRole, Cw['SecurityRole']>,
    ] = [true, true];
    expect(checks.every(Boolean)).toBe(true);
  });

  it('lists billing terms in CW wire shape, with conditions, paging, count and by id', async () => {
    const terms = await cw.client.listBillingTerms();
    expect(terms.map((t) => [t.name, t.termsXref])).toEqual([
      ['Net 30', 'Net 30'],
      ['Net 15', 'Net 15'],
      ['Due on receipt', 'Due on receipt'],
      ['Net 60', 'Net 60'],
    ]);
    expect(terms[0]).toMatchObject({ id: 1, defaultFlag: true, dueDays: 30, _info: expect.any(Object) });
    expect((await cw.client.listBillingTerms('name like "Net%"')).map((t) => t.name)).toEqual([
      'Net 30',
      'Net 15',
      'Net 60',
    ]);

    const first = await cw.raw('/finance/billingTerms?pageSize=3');
    expect(((await first.json()) as unknown[]).length).toBe(3);
    expect(first.headers.get('link')).toMatch(/page=2.*rel="next"/);
    expect(await (await cw.raw('/finance/billingTerms/count?conditions=dueDays>=30')).json()).toEqual({
      count: 2,
    });
    expect(await (await cw.raw('/finance/billingTerms/4')).json()).toMatchObject({ name: 'Net 60' });
    const missing = await cw.raw('/finance/billingTerms/99');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NotFound' });
    const bad = await cw.raw('/finance/billingTerms?conditions=name%20~~%20x');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'InvalidObject' });
  });

  it('lists security roles at /system/securityroles, active ones by condition', async () => {
    const active = await cw.client.listSecurityRoles('inactiveFlag=false');
    expect(active.map((r) => r.name)).toEqual(['Admin', 'Finance', 'Technician', 'Sales', 'Dispatch']);
    expect(active[0]).toMatchObject({ id: 63, adminFlag: true, inactiveFlag: false });
    expect((await cw.client.listSecurityRoles()).map((r) => r.name)).toContain('Contractor (old)');
    // CW's own spelling of the path varies in case (securityRoles/.../settings); both answer.
    expect((await cw.raw('/system/securityRoles/64')).status).toBe(200);
  });

  it('serves what a seed gives instead of the defaults', async () => {
    cw.sim.state.seed({
      billingTerms: [{ id: 7, name: '2% 10 Net 30', termsXref: '2/10N30', dueDays: 30 }],
      securityRoles: [{ id: 9, name: 'Bookkeeper' }],
    });
    expect(await cw.client.listBillingTerms()).toEqual([
      expect.objectContaining({ id: 7, name: '2% 10 Net 30', termsXref: '2/10N30', defaultFlag: false }),
    ]);
    expect((await cw.client.listSecurityRoles('inactiveFlag=false')).map((r) => r.name)).toEqual([
      'Bookkeeper',
    ]);
  });
});

describe('editing an invoice: closing it and changing its number', () => {
  let cw: SimAndClient;
  beforeEach(async () => {
    cw = await startSimAndClient(seedWith([open, piped, other]));
  });
  afterEach(() => cw.close());

  it('closing through a billing status with closedFlag makes the invoice unposted', async () => {
    expect(await cw.client.getUnposted('invoices', open.invoice.id)).toBeNull();
    const statuses = (await (await cw.raw('/finance/billingStatuses')).json()) as {
      id: number;
      name: string;
      closedFlag: boolean;
    }[];
    const closed = statuses.find((s) => s.closedFlag)!;
    expect(closed.name).toBe('Closed');

    const res = await patch(cw, open.invoice.id, [
      { op: 'replace', path: 'status', value: { id: closed.id } },
    ]);
    expect(res.status).toBe(200);
    const invoice = await cw.client.getInvoice(open.invoice.id);
    expect(invoice?.status).toMatchObject({ id: closed.id, name: 'Closed' });
    // CW's Invoice has no dateClosed; the unposted invoice carries it (ManageTypes UnpostedInvoice).
    expect(invoice).not.toHaveProperty('dateClosed');
    const unposted = await cw.client.getUnposted('invoices', open.invoice.id);
    expect(unposted?.invoiceNumber).toBe('INV-501');
    expect(unposted?.dateClosed).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('refuses an unknown status and leaves the invoice as it was', async () => {
    const res = await patch(cw, open.invoice.id, [
      { op: 'replace', path: 'invoiceNumber', value: 'INV-501A' },
      { op: 'replace', path: 'status/id', value: 999 },
    ]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 'InvalidObject',
      errors: [{ resource: 'Invoice', field: 'status' }],
    });
    const invoice = await cw.client.getInvoice(open.invoice.id);
    expect(invoice).toMatchObject({ invoiceNumber: 'INV-501', status: { name: 'New' } });
  });

  it('a new number follows to the GL export, so the once-refused invoice can be batched', async () => {
    const [before] =
      (await cw.client.exportGl({ includedInvoiceIds: [piped.invoice.id] })).transactions ?? [];
    await expect(
      cw.client.createBatch({
        batchIdentifier: 'LP-INV|502',
        processedRecordIds: parseGlEntryIds(before?.glEntryIds),
      }),
    ).rejects.toMatchObject({ status: 400 });

    const res = await patch(cw, piped.invoice.id, [
      { op: 'replace', path: 'invoiceNumber', value: 'INV-502' },
    ]);
    expect(res.status).toBe(200);
    const [tx] = (await cw.client.exportGl({ includedInvoiceIds: [piped.invoice.id] })).transactions ?? [];
    expect(tx).toMatchObject({ documentNumber: 'INV-502', total: piped.invoice.total });
    expect((await cw.client.getUnposted('invoices', piped.invoice.id))?.invoiceNumber).toBe('INV-502');
    await cw.client.createBatch({
      batchIdentifier: 'LP-INV-502',
      processedRecordIds: parseGlEntryIds(tx?.glEntryIds),
      exportInvoicesFlag: true,
    });
    expect(await cw.client.getUnposted('invoices', piped.invoice.id)).toBeNull();

    // Posted, the number is part of the batch: CW wants the batch reversed first.
    const late = await patch(cw, piped.invoice.id, [
      { op: 'replace', path: 'invoiceNumber', value: 'INV-502B' },
    ]);
    expect(late.status).toBe(400);
    expect(await late.json()).toMatchObject({ errors: [{ field: 'invoiceNumber' }] });
  });

  it('refuses a number that is too long, empty or taken', async () => {
    for (const value of ['INV-1234567890123', '  ', 'inv-503']) {
      const res = await patch(cw, piped.invoice.id, [{ op: 'replace', path: 'invoiceNumber', value }]);
      expect(res.status, value).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'InvalidObject', errors: [{ field: 'invoiceNumber' }] });
    }
    expect((await cw.client.getInvoice(piped.invoice.id))?.invoiceNumber).toBe('INV|502');
  });

  it('the screen control saves the same patch and fires the invoice callbacks', async () => {
    const received: string[] = [];
    const app = express();
    app.use(express.text({ type: '*/*' }));
    app.post('/cb', (req, res) => {
      received.push(req.body as string);
      res.status(200).end();
    });
    const receiver = await listen(app, 0);
    try {
      await cw.client.registerCallback({
        description: 'all invoices',
        url: `${receiver.url}/cb`,
        objectId: 0,
        type: 'invoice',
        level: 'owner',
      });
      const res = await fetch(`${cw.url}/__sim/invoices/${open.invoice.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          { op: 'replace', path: 'invoiceNumber', value: 'INV-501' },
          { op: 'replace', path: 'status', value: { id: 2 } },
        ]),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: { id: 2, name: 'Closed' } });
      await expect.poll(() => received.length).toBe(1);
      expect(JSON.parse(received[0]!)).toMatchObject({ Action: 'updated', ID: open.invoice.id });

      const refused = await fetch(`${cw.url}/__sim/invoices/${open.invoice.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ invoiceNumber: 'not a patch array' }),
      });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ code: 'InvalidObject' });
    } finally {
      await receiver.close();
    }
  });
});
