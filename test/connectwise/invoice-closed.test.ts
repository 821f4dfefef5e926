import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { billingStatusTable } from '../../server/connectwise/billing-statuses.js';
import { ConnectWiseError } from '../../server/connectwise/index.js';
import { isClosed } from '../../server/records/invoice-columns.js';
import { buildInvoiceWithGl, seedWith } from '../../sim/connectwise/index.js';
import { defaultBillingStatuses } from '../../sim/connectwise/setup-tables.js';
import { type SimAndClient, startSimAndClient } from './support.js';

/**
 * Whether a CW invoice is closed is its billing status's `closedFlag` (GET /finance/billingStatuses,
 * connectwise-rest ManageTypes `BillingStatus`); CW's Invoice names the status by {id, name} only.
 * MSPs name statuses freely, so the name must not decide where the flag is known.
 */

const statuses = [
  ...defaultBillingStatuses(),
  {
    id: 7,
    name: 'Done',
    sortOrder: 4,
    defaultFlag: false,
    closedFlag: true,
    sentFlag: false,
    inactiveFlag: false,
  },
  {
    id: 8,
    name: 'Closed - awaiting review',
    sortOrder: 5,
    defaultFlag: false,
    closedFlag: false,
    sentFlag: false,
    inactiveFlag: false,
  },
];
const built = ['INV-701', 'INV-702', 'INV-703'].map((number) =>
  buildInvoiceWithGl({
    number,
    closed: false,
    lines: [{ description: 'Managed services', quantity: 1, unitPrice: 450 }],
  }),
);
const [done, review, later] = built.map((b) => b.invoice.id) as [number, number, number];
const statusReads = (cw: SimAndClient) =>
  cw.sim.traffic.snapshot().byRoute['GET /v4_6_release/apis/3.0/finance/billingStatuses'] ?? 0;

describe('an invoice is closed by its billing status closedFlag, not its name', () => {
  let cw: SimAndClient;
  const setStatus = async (invoiceId: number, statusId: number) => {
    const res = await cw.raw(`/finance/invoices/${invoiceId}`, {
      method: 'PATCH',
      body: JSON.stringify([{ op: 'replace', path: 'status', value: { id: statusId } }]),
    });
    expect(res.status).toBe(200);
  };

  beforeEach(async () => {
    cw = await startSimAndClient(seedWith(built, { billingStatuses: statuses }));
  });
  afterEach(() => cw.close());

  it('"Done" with closedFlag is closed; "Closed - awaiting review" without it is not', async () => {
    await setStatus(done, 7);
    await setStatus(review, 8);

    const doneInvoice = await cw.client.getInvoice(done);
    const reviewInvoice = await cw.client.getInvoice(review);
    expect(doneInvoice?.status).toMatchObject({ id: 7, name: 'Done', closedFlag: true });
    expect(reviewInvoice?.status).toMatchObject({
      id: 8,
      name: 'Closed - awaiting review',
      closedFlag: false,
    });
    expect(isClosed(doneInvoice!)).toBe(true);
    expect(isClosed(reviewInvoice!)).toBe(false);
    // The simulator agrees: only the closedFlag status made GL entries to post.
    expect(await cw.client.getUnposted('invoices', done)).not.toBeNull();
    expect(await cw.client.getUnposted('invoices', review)).toBeNull();
    // The list path carries the flag as well.
    const listed = await cw.client.listInvoices(`id in (${done},${review})`);
    expect(listed.map((i) => [i.id, isClosed(i)]).sort()).toEqual(
      [
        [done, true],
        [review, false],
      ].sort(),
    );
  });

  it("the simulated screen's close action picks a closedFlag status, by id when named", async () => {
    const close = (id: number, body: unknown) =>
      fetch(`${cw.url}/__sim/invoices/${id}/close`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await close(done, { statusId: 7 })).status).toBe(200);
    const invoice = await cw.client.getInvoice(done);
    expect(invoice?.status).toMatchObject({ id: 7, name: 'Done', closedFlag: true });
    expect(await cw.client.getUnposted('invoices', done)).not.toBeNull();
    // A status without closedFlag cannot close an invoice, whatever it is called.
    expect((await close(review, { statusId: 8 })).status).toBe(409);
    expect(isClosed((await cw.client.getInvoice(review))!)).toBe(false);
  });

  it('reads the table once for many invoice reads, shared by reads that start together', async () => {
    await setStatus(done, 7);
    const reads = await Promise.all(
      built.flatMap((b) => [1, 2, 3].map(() => cw.client.getInvoice(b.invoice.id))),
    );
    expect(reads.every((invoice) => invoice?.status?.closedFlag != null)).toBe(true);
    for (const b of built) await cw.client.getInvoice(b.invoice.id);
    expect(statusReads(cw)).toBe(1);
  });

  it('finds a status created after the table was read by reading it again once', async () => {
    expect(isClosed((await cw.client.getInvoice(later))!)).toBe(false);
    expect(statusReads(cw)).toBe(1);

    // An admin adds "Paid" (closed) on CW's Billing Status screen; an invoice is moved to it.
    const paid = { ...statuses[3]!, id: 9, name: 'Paid', sortOrder: 6 };
    const seeded = await cw.control('/seed', { billingStatuses: [...statuses, paid] });
    expect(seeded).toMatchObject({ ok: true });
    await setStatus(later, 9);

    const invoice = await cw.client.getInvoice(later);
    expect(invoice?.status).toMatchObject({ id: 9, name: 'Paid', closedFlag: true });
    expect(isClosed(invoice!)).toBe(true);
    expect(statusReads(cw)).toBe(2);
    // Known now: more reads of it cost no further table read.
    await cw.client.getInvoice(later);
    expect(statusReads(cw)).toBe(2);
  });
});

describe('billing status table', () => {
  const row = (id: number, closedFlag: boolean) => ({ id, name: `S${id}`, closedFlag });

  it('is read again once it is 10 minutes old, and chases an unknown id only once per table', async () => {
    let clock = 0;
    let reads = 0;
    const lookup = billingStatusTable(
      async () => {
        reads += 1;
        return [row(1, false), row(2, true)];
      },
      { now: () => clock },
    );
    expect((await lookup(2))?.closedFlag).toBe(true);
    expect(await lookup(99)).toBeUndefined();
    expect(await lookup(99)).toBeUndefined();
    expect(reads).toBe(2);
    clock += 9 * 60_000;
    await lookup(1);
    expect(reads).toBe(2);
    clock += 60_000;
    await lookup(1);
    expect(reads).toBe(3);
  });

  it('falls back to nothing known when the API member may not read the table, and fails on other errors', async () => {
    let reads = 0;
    const forbidden = billingStatusTable(async () => {
      reads += 1;
      throw new ConnectWiseError('cw_forbidden', 'no access to billing statuses');
    });
    expect(await forbidden(7)).toBeUndefined();
    expect(await forbidden(8)).toBeUndefined();
    expect(reads).toBe(1);
    expect(isClosed({ id: 1, invoiceNumber: 'X', type: 'Standard', status: { id: 7, name: 'Closed' } })).toBe(
      true,
    );

    const broken = billingStatusTable(async () => {
      throw new ConnectWiseError('cw_server_error', 'CW is down');
    });
    await expect(broken(7)).rejects.toMatchObject({ code: 'cw_server_error' });
  });
});
