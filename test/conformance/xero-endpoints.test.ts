import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exchange } from '../../sim/xero/exchange-log.js';
import { customer, startXeroFixture, invoiceDoc as xeroInvoiceDoc } from '../xero/support/xero-fixture.js';
import { body } from './support/corpus.js';
import { compareShapes } from './support/shape.js';

/*
 * Every Xero write the product makes besides the creates (those are in simulator-shapes.test.ts):
 * payment create, read and delete, allocation create and delete, invoice / credit note / manual
 * journal update, contact update. Each is made by the product through xero-node against the
 * simulator; the body the product sends is held to Xero's documented request (same JSON types where
 * both have a field), and the simulator's answer to Xero's documented answer (same types and signs).
 * The spec itself (closed) checks both on every exchange (test/support/setup.ts).
 */
const sameTypesAndSigns = (real: unknown, ours: unknown) => {
  const { types, signs } = compareShapes(real, ours);
  return { types, signs };
};

describe('Xero endpoints the product calls: its requests and the simulator’s answers against Xero’s documents', () => {
  let fx: Awaited<ReturnType<typeof startXeroFixture>>;
  const exchanges: Exchange[] = [];
  const one = (method: string, path: RegExp) => {
    const found = exchanges.filter((e) => e.method === method && path.test(e.path) && e.status === 200);
    expect(found.length, `${method} ${path}`).toBeGreaterThan(0);
    return found[found.length - 1]!;
  };

  beforeAll(async () => {
    fx = await startXeroFixture();
    const ledger = fx.ledger;
    const correction = ledger.correction!;
    const contactId = await ledger.ensureParty(customer(), 'c');
    const invoice = await ledger.create(xeroInvoiceDoc(), contactId, 'inv');
    await ledger.update(invoice, xeroInvoiceDoc({ memo: 'changed' }), contactId, 'inv-2');
    const credit = await ledger.create(
      xeroInvoiceDoc({
        type: 'credit_memo',
        number: 'CM-7',
        lines: [xeroInvoiceDoc().lines[0]!],
        taxMinor: 3000n,
        totalMinor: 33000n,
      }),
      contactId,
      'cm',
    );
    await ledger.update(
      credit,
      xeroInvoiceDoc({
        type: 'credit_memo',
        number: 'CM-7',
        memo: 'changed',
        lines: [xeroInvoiceDoc().lines[0]!],
        taxMinor: 3000n,
        totalMinor: 33000n,
      }),
      contactId,
      'cm-2',
    );
    const journal = {
      type: 'journal' as const,
      number: 'JE-5',
      date: '2024-03-31',
      currency: 'USD',
      decimals: 2,
      memo: 'Accrual',
      lines: [
        { description: 'Wages', amountMinor: 12345n, accountKey: '477', classKey: undefined },
        { description: 'Payable', amountMinor: -12345n, accountKey: '800', classKey: undefined },
      ],
    };
    const posted = await ledger.create(journal, undefined, 'je');
    await ledger.update(posted, { ...journal, memo: 'Accrual (corrected)' }, undefined, 'je-2');
    await ledger.updateParty(contactId, customer({ email: 'billing@fabrikam.test' }), 'c-details');

    const payment = {
      kind: 'payment' as const,
      id: '',
      amountMinor: 5000n,
      decimals: 2,
      currency: 'USD',
      date: '2024-03-15',
      accountCode: '090',
      reference: 'Cheque 12',
    };
    const paid = await correction.putBack(payment, invoice.id, 'pay');
    await correction.takeOff({ ...payment, id: paid.id });
    const allocated = await ledger.applyCredit({
      creditId: credit.id,
      invoiceId: invoice.id,
      amountMinor: 10000n,
      currency: 'USD',
      decimals: 2,
      date: '2024-03-12',
      idempotencyKey: 'alloc',
    });
    await correction.takeOff({
      kind: 'credit',
      id: allocated.id,
      creditId: credit.id,
      amountMinor: 10000n,
      decimals: 2,
      currency: 'USD',
      date: '2024-03-12',
    });
    exchanges.push(...fx.sim.exchanges.filter((e) => e.userAgent?.startsWith('xero-node')));
    expect(fx.books().Payments.map((p) => p.Status)).toEqual(['DELETED']);
    expect(fx.books().CreditNotes[0]?.Allocations).toEqual([expect.objectContaining({ IsDeleted: true })]);
  });
  afterAll(() => fx.close());

  const id = '[0-9a-f-]{36}';
  it.each([
    ['PUT', /\/Payments$/, 'xero/payments-put.request.json', 'xero/payments-put.200.json'],
    ['GET', new RegExp(`/Payments/${id}$`), undefined, 'xero/payment-get.200.json'],
    ['POST', new RegExp(`/Payments/${id}$`), undefined, 'xero/payment-post.200.json'],
    ['POST', new RegExp(`/Invoices/${id}$`), 'xero/invoice-post.request.json', 'xero/invoice-post.200.json'],
    [
      'POST',
      new RegExp(`/CreditNotes/${id}$`),
      'xero/creditnote-post.request.json',
      'xero/creditnote-post.200.json',
    ],
    [
      'POST',
      new RegExp(`/ManualJournals/${id}$`),
      'xero/manualjournal-post.request.json',
      'xero/manualjournal-post.200.json',
    ],
    ['POST', /\/Contacts$/, 'xero/contacts-post.request.json', 'xero/contacts-post.200.json'],
    [
      'PUT',
      new RegExp(`/CreditNotes/${id}/Allocations$`),
      'xero/creditnote-allocations-put.request.json',
      'xero/creditnote-allocations-put.200.json',
    ],
  ] as const)(
    '%s %s: the product’s body as documented, the simulator’s answer as documented',
    (method, path, request, answer) => {
      const exchange = one(method, path);
      if (request)
        expect(sameTypesAndSigns(body(request), exchange.requestBody), request).toEqual({
          types: [],
          signs: [],
        });
      expect(sameTypesAndSigns(body(answer), exchange.responseBody), answer).toEqual({
        types: [],
        signs: [],
      });
    },
  );

  it('a payment delete sends PaymentDelete’s bare {Status: "DELETED"} (the schema’s form, not the example’s)', () => {
    expect(one('POST', new RegExp(`/Payments/${id}$`)).requestBody).toEqual({ Status: 'DELETED' });
  });

  /*
   * Xero's example answer to an allocation delete (`AllocationId`, `Invoice` an array, no Amount)
   * contradicts its own Allocation schema; the simulator answers the schema's Allocation. The product
   * reads nothing of this answer (correction.ts reads the credit note again), so only the example's
   * remaining fields are held: same types, IsDeleted true.
   */
  it('DELETE …/Allocations/{id}: one Allocation with IsDeleted true, as documented', () => {
    const exchange = one('DELETE', new RegExp(`/CreditNotes/${id}/Allocations/${id}$`));
    const documented = body('xero/creditnote-allocation-delete.200.json') as Record<string, unknown>;
    expect(compareShapes(documented, exchange.responseBody).types).toEqual([
      'Invoice: real array, simulator object',
    ]);
    expect(exchange.responseBody).toMatchObject({
      IsDeleted: documented.IsDeleted,
      Date: expect.any(String),
    });
  });
});
