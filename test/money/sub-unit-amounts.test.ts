import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cw-tenant.js';
import { type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';
import { realIskInvoice } from './real-isk-invoice.js';

/**
 * Issue 13 item 2: CW amounts with more decimals than the currency (a real ISK invoice: 0 decimals,
 * total 4546628.64, tax 879992.64; domain.md §8). Xero keeps 2 dp in every currency, so it books
 * CW's exact figure; QBO keeps ISK at 0 dp, so it books 4,546,629 and the record says so. Never silent.
 */
const cwId = 9201;
const realIsk = () => realIskInvoice(cwId);

describe.each(['qbo', 'xero'] as const)('a sub-unit ISK invoice through %s', (kind) => {
  let world: PipelineWorld;
  let view: any;

  beforeAll(async () => {
    world = await startPipelineWorld(kind);
    const built = realIsk();
    expect(built.invoice.total).toBe(4_546_628.64);
    expect(built.invoice.salesTax).toBe(879_992.64);
    await world.seedInvoices([built]);
    await api(world.pod.url, world.token.accountant, 'POST', `/api/v1/records/invoice/${cwId}/sync`);
    view = await world.waitForState(cwId, ['synced'], 60_000);
  });
  afterAll(() => world?.close());

  it("keeps CW's exact figure on the record", () => {
    expect(view.record).toMatchObject({ currency: 'ISK', total: '4546628.64', balance: '4546628.64' });
  });

  if (kind === 'xero') {
    it('books the exact figure in Xero (2 dp in every currency), with no rounding', async () => {
      expect(view.ledger.total).toBe('4546628.64');
      expect(view.rounding).toBeNull();
      const [doc] = await world.ledgerDocuments('invoice');
      expect(doc!.total).toBe(4_546_628.64);
    });
  } else {
    it('books 4,546,629 in QBO (ISK 0 dp) and says so on the record', async () => {
      expect(view.ledger.total).toBe('4546629.00');
      expect(view.rounding).toMatchObject({
        cw: '4546628.64',
        booked: '4546629',
        difference: '0.36',
        message: 'booked 4,546,629 ISK; ConnectWise shows 4,546,628.64: rounding 0.36',
      });
      const [doc] = await world.ledgerDocuments('invoice');
      expect(doc!.total).toBe(4_546_629);
      const pushed = view.events.find((e: { kind: string }) => e.kind === 'ledger_document');
      expect(pushed.detail.rounding).toContain('rounding 0.36');
    });
  }

  it('paid in full in the ledger, the CW invoice is paid to its exact balance', async () => {
    const full = kind === 'qbo' ? '4546629' : '4546628.64';
    await world.ledgerSim.recordPayment(view.ledger.id, full);
    const res = await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/payments/sync', {});
    expect(res.status).toBe(202);
    const paid = await world.waitFor(
      cwId,
      (v) => v.state === 'paid' && v.payments.some((p: { state: string }) => p.state === 'written'),
      'paid with its payment written',
      60_000,
    );
    expect(paid.payments).toEqual([expect.objectContaining({ amount: '4546628.64', state: 'written' })]);
    const cw = await world.cwState();
    expect(cw.payments.filter((p) => p.invoice.id === cwId).map((p) => p.amount)).toEqual([4_546_628.64]);
    expect(cw.invoices.find((i) => i.id === cwId)!.balance).toBe(0);
  });
});
