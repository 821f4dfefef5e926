import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exchange } from '../../sim/xero/exchange-log.js';
import { loadXeroSchemas, validateAgainst } from './support/openapi-validator.js';
import { customer, invoiceDoc, startXeroFixture, TENANT } from './support/xero-fixture.js';

const schemas = loadXeroSchemas();

/** Which component schema a request or response body of an accounting endpoint must match. */
function schemasFor(exchange: Exchange): { request?: string; response?: string; element?: string } {
  const [collection = '', , sub] = (exchange.path.split('/2.0/')[1] ?? '').split('/');
  if (sub === 'Allocations')
    return { request: 'Allocations', response: 'Allocations', element: 'Allocation' };
  if (collection === 'Payments') {
    return {
      request: exchange.method === 'PUT' ? 'Payment' : 'PaymentDelete',
      response: 'Payments',
      element: 'Payment',
    };
  }
  return { request: collection, response: collection, element: collection.replace(/s$/, '') };
}

/**
 * A 400 is the Error schema, but Xero echoes the whole failed document in each element, which the
 * spec's Element leaves out: the echoed fields are checked against the document's own schema.
 */
function validateError(body: unknown, element: string | undefined): string[] {
  const { Elements = [], ...envelope } = body as { Elements?: Record<string, unknown>[] };
  return [
    ...validateAgainst(schemas, 'Error', envelope),
    ...Elements.flatMap(({ ValidationErrors, ...echoed }) => [
      ...validateAgainst(schemas, 'Element', { ValidationErrors }),
      ...(element ? validateAgainst(schemas, element, echoed) : []),
    ]),
  ];
}

let fx: Awaited<ReturnType<typeof startXeroFixture>>;
beforeAll(async () => {
  fx = await startXeroFixture();
});
afterAll(() => fx.close());

describe('contract: xero_accounting.yaml', () => {
  it('the validator catches drift (unknown property, wrong type, bad enum, missing required)', () => {
    expect(validateAgainst(schemas, 'Invoices', { Invoices: [{ Type: 'ACCREC', Totl: 1 }] })).toEqual([
      'Invoices.Invoices[0].Totl: unknown property',
    ]);
    expect(validateAgainst(schemas, 'Invoices', { Invoices: [{ Total: '1.00' }] })[0]).toMatch(
      /expected number/,
    );
    expect(validateAgainst(schemas, 'Invoices', { Invoices: [{ Status: 'OPEN' }] })[0]).toMatch(
      /not in enum/,
    );
    expect(validateAgainst(schemas, 'ManualJournals', { ManualJournals: [{ JournalLines: [] }] })[0]).toMatch(
      /Narration: required/,
    );
    expect(
      validateAgainst(schemas, 'Invoices', { Invoices: [{ LineItems: [{ LineAmountTypes: 1 }] }] })[0],
    ).toMatch(/unknown property/);
  });

  it('every body the product sends and every answer the simulator gives matches the spec', async () => {
    const contactId = await fx.ledger.ensureParty(customer(), 'c');
    const classes = await fx.ledger.listClasses();
    await fx.ledger.listAccounts();
    await fx.ledger.listTaxCodes();
    await fx.ledger.listItems();
    const lines = invoiceDoc().lines.map((l) => ({ ...l, classKey: classes[0]!.key }));
    const invoice = await fx.ledger.create(invoiceDoc({ lines }), contactId, 'inv');
    await fx.ledger.update(invoice, invoiceDoc({ memo: 'updated' }), contactId, 'inv-2');
    await fx.ledger.create(invoiceDoc(), contactId, 'dup').catch(() => undefined);
    await fx.ledger.create(
      invoiceDoc({ type: 'bill', number: 'B-1', party: customer({ kind: 'vendor' }) }),
      contactId,
      'bill',
    );
    const credit = await fx.ledger.create(
      invoiceDoc({ type: 'credit_memo', number: 'CM-1' }),
      contactId,
      'cm',
    );
    await fx.ledger.applyCredit({
      creditId: credit.id,
      invoiceId: invoice.id,
      amountMinor: 1000n,
      currency: 'USD',
      decimals: 2,
      date: '2024-03-12',
      idempotencyKey: 'a',
    });
    await fx.ledger.create(
      {
        type: 'journal',
        number: 'JE-1',
        date: '2024-03-31',
        currency: 'USD',
        decimals: 2,
        memo: undefined,
        lines: [
          { description: 'a', amountMinor: 500n, accountKey: '477', classKey: undefined },
          { description: 'b', amountMinor: -500n, accountKey: '800', classKey: undefined },
        ],
      },
      undefined,
      'je',
    );
    await fx.control(`/__sim/tenants/${TENANT}/payments`, { invoiceId: invoice.id, amount: 5 });
    for await (const _ of fx.ledger.paymentsSince(new Date(0))) {
      // drain
    }
    await fx.ledger.findByNumbers('invoice', ['CW-1001']);
    await fx.ledger.findByNumbers('credit_memo', ['CM-1']);
    await fx.ledger.findByNumbers('journal', ['JE-1']);
    await fx.ledger.get('credit_memo', credit.id);

    const problems: string[] = [];
    const seen = new Set<string>();
    for (const exchange of fx.sim.exchanges) {
      const names = schemasFor(exchange);
      seen.add(`${exchange.method} ${exchange.path.replace(/[0-9a-f-]{36}/g, ':id')} ${exchange.status}`);
      if (exchange.requestBody !== undefined && names.request) {
        problems.push(
          ...validateAgainst(schemas, names.request, exchange.requestBody).map(
            (p) => `request ${exchange.method} ${exchange.path}: ${p}`,
          ),
        );
      }
      const answer =
        exchange.status === 400
          ? validateError(exchange.responseBody, names.element)
          : exchange.status < 300 && names.response
            ? validateAgainst(schemas, names.response, exchange.responseBody)
            : [];
      problems.push(...answer.map((p) => `response ${exchange.method} ${exchange.path}: ${p}`));
    }
    expect(problems).toEqual([]);
    expect([...seen]).toEqual(
      expect.arrayContaining([
        'PUT /api.xro/2.0/Invoices 200',
        'PUT /api.xro/2.0/Invoices 400',
        'POST /api.xro/2.0/Invoices/:id 200',
        'PUT /api.xro/2.0/CreditNotes/:id/Allocations 200',
        'PUT /api.xro/2.0/ManualJournals 200',
        'PUT /api.xro/2.0/Contacts 200',
        'GET /api.xro/2.0/Payments 200',
      ]),
    );
  });
});
