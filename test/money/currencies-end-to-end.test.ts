import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * Issue 13 acceptance: invoices in 0-dp (ISK, CLP) and 3-dp (KWD) currencies pushed to each ledger,
 * paid in part and then the rest, or in full at once, in its simulator, show the right totals in the
 * record status route and land in ConnectWise (its simulator's payments) at the right amounts. Before the fix QBO read
 * ISK at 2 dp (24,800 became 2,480,000, refused by CW as above the balance) and Xero payments could
 * land at 1/100.
 */
interface Case {
  cwId: number;
  currency: string;
  /** CW's per-currency setting, as its admin would have it (ISO 4217's). */
  numberOfDecimals: number;
  lines: { description: string; quantity: number; unitPrice: number; accountNumber: string }[];
  taxRate: number;
  /** What CW and the books show, as decimal text at the currency's decimals. */
  total: string;
  part: string;
  rest: string;
  /** The ledger's balance after the part payment, as the record view shows it. */
  afterPart: string;
  zero: string;
}

const cases: Case[] = [
  {
    cwId: 9101,
    currency: 'ISK',
    numberOfDecimals: 0,
    lines: [{ description: 'Rekstrarþjónusta', quantity: 2, unitPrice: 62_000, accountNumber: '4000' }],
    taxRate: 10,
    total: '136400',
    part: '24800',
    rest: '111600',
    afterPart: '111600',
    zero: '0',
  },
  {
    cwId: 9102,
    currency: 'CLP',
    numberOfDecimals: 0,
    lines: [{ description: 'Soporte mensual', quantity: 1, unitPrice: 250_000, accountNumber: '4000' }],
    taxRate: 10,
    total: '275000',
    part: '100000',
    rest: '175000',
    afterPart: '175000',
    zero: '0',
  },
  {
    cwId: 9103,
    currency: 'KWD',
    numberOfDecimals: 3,
    // 3-dp currency with amounts Xero can hold (it keeps 2 dp in every currency).
    lines: [{ description: 'Managed services', quantity: 4, unitPrice: 312.5, accountNumber: '4000' }],
    taxRate: 10,
    total: '1375.000',
    part: '375.250',
    rest: '999.750',
    afterPart: '999.750',
    zero: '0.000',
  },
  {
    cwId: 9104,
    currency: 'ISK',
    // A CW set up with 2 decimals for ISK: Xero's answer read at ISK's 0 dp landed at 1/100.
    numberOfDecimals: 2,
    lines: [{ description: 'Hýsing', quantity: 1, unitPrice: 50_000, accountNumber: '4000' }],
    taxRate: 10,
    total: '55000.00',
    part: '24800.00',
    rest: '30200.00',
    afterPart: '30200.00',
    zero: '0.00',
  },
];

/** Each case's twin invoice, paid in full by one payment (the part-then-rest one keeps its own id). */
const fullId = (c: Case) => c.cwId + 10;

describe.each(['qbo', 'xero'] as const)('0- and 3-decimal currencies through %s', (kind) => {
  let world: PipelineWorld;
  const ledgerIds = new Map<number, string>();

  beforeAll(async () => {
    world = await startPipelineWorld(kind);
    const ids = cases.flatMap((c) => [c.cwId, fullId(c)]);
    await world.seedInvoices(
      cases.flatMap((c) =>
        [c.cwId, fullId(c)].map((id) =>
          invoice(id, `${c.currency}-${id}`, {
            currency: { currencyCode: c.currency, numberOfDecimals: c.numberOfDecimals },
            lines: c.lines,
            taxRate: c.taxRate,
          }),
        ),
      ),
    );
    for (const id of ids)
      await api(world.pod.url, world.token.accountant, 'POST', `/api/v1/records/invoice/${id}/sync`);
    for (const id of ids) ledgerIds.set(id, (await world.waitForState(id, ['synced'], 60_000)).ledger!.id);
  });
  afterAll(() => world?.close());

  const syncPayments = async () => {
    const res = await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/payments/sync', {});
    expect(res.status).toBe(202);
  };
  const written = (state: string, count: number) => (view: any) =>
    view.state === state &&
    view.payments.filter((p: { state: string }) => p.state === 'written').length >= count;
  const cwPayments = async (cwId: number) =>
    (await world.cwState()).payments.filter((p) => p.invoice.id === cwId).map((p) => p.amount);

  it.each(cases)('$currency: the books hold CW total $total', async (c) => {
    const view = (await world.record(c.cwId)).body;
    expect(view.record).toMatchObject({ currency: c.currency, total: c.total });
    expect(view.ledger).toMatchObject({ total: c.total, balance: c.total });
  });

  it.each(cases)('$currency: paid in part then in full, CW gets $part and $rest', async (c) => {
    await world.ledgerSim.recordPayment(ledgerIds.get(c.cwId)!, c.part);
    await syncPayments();
    const partly = await world.waitFor(
      c.cwId,
      written('partly_paid', 1),
      'partly paid, payment written',
      60_000,
    );
    expect(partly.ledger!.balance).toBe(c.afterPart);
    expect(partly.payments).toEqual([expect.objectContaining({ amount: c.part, state: 'written' })]);
    expect(await cwPayments(c.cwId)).toEqual([Number(c.part)]);

    await world.ledgerSim.recordPayment(ledgerIds.get(c.cwId)!, c.rest);
    await syncPayments();
    const paid = await world.waitFor(c.cwId, written('paid', 2), 'paid, both payments written', 60_000);
    expect(paid.ledger!.balance).toBe(c.zero);
    expect(paid.payments.map((p: { amount: string }) => p.amount).sort()).toEqual([c.part, c.rest].sort());
    expect((await cwPayments(c.cwId)).sort((a, b) => a - b)).toEqual(
      [Number(c.part), Number(c.rest)].sort((a, b) => a - b),
    );
    const cwInvoice = (await world.cwState()).invoices.find((i) => i.id === c.cwId)!;
    expect(cwInvoice.balance).toBe(0);
  });

  it.each(cases)('$currency: paid in full at once, CW gets exactly $total', async (c) => {
    const id = fullId(c);
    await world.ledgerSim.recordPayment(ledgerIds.get(id)!, c.total);
    await syncPayments();
    const paid = await world.waitFor(id, written('paid', 1), 'paid, the payment written', 60_000);
    expect(paid.ledger!.balance).toBe(c.zero);
    expect(paid.payments).toEqual([expect.objectContaining({ amount: c.total, state: 'written' })]);
    expect(await cwPayments(id)).toEqual([Number(c.total)]);
    const cwInvoice = (await world.cwState()).invoices.find((i) => i.id === id)!;
    expect(cwInvoice.balance).toBe(0);
  });
});
