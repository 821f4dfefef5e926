import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeProblems, xeroSpec } from './support/exchange-conformance.js';
import { customer, invoiceDoc, startXeroFixture, TENANT } from './support/xero-fixture.js';

const spec = xeroSpec();
const validateAgainst = (name: string, value: unknown) => spec.validate(name, value);

let fx: Awaited<ReturnType<typeof startXeroFixture>>;
beforeAll(async () => {
  fx = await startXeroFixture();
});
afterAll(() => fx.close());

describe('contract: xero_accounting.yaml', () => {
  it('the validator catches drift (unknown property, wrong type, bad enum, missing required)', () => {
    expect(validateAgainst('Invoices', { Invoices: [{ Type: 'ACCREC', Totl: 1 }] })).toEqual([
      '/Invoices/0: must NOT have additional properties (Totl)',
    ]);
    expect(validateAgainst('Invoices', { Invoices: [{ Total: '1.00' }] })).toEqual([
      '/Invoices/0/Total: must be number',
    ]);
    expect(validateAgainst('Invoices', { Invoices: [{ Status: 'OPEN' }] })[0]).toMatch(
      /^\/Invoices\/0\/Status: must be equal to one of the allowed values/,
    );
    expect(validateAgainst('ManualJournals', { ManualJournals: [{ JournalLines: [] }] })).toEqual([
      "/ManualJournals/0: must have required property 'Narration'",
    ]);
    expect(validateAgainst('Invoices', { Invoices: [{ LineItems: [{ LineAmountTypes: 1 }] }] })[0]).toMatch(
      /additional properties \(LineAmountTypes\)/,
    );
  });

  /*
   * Invoice, CreditNote, Allocation and Payment refer to each other in circles; some validators
   * silently stop at the first repeated $ref. Each operation the product uses gets a body that is
   * wrong only deep inside such a cycle, and must be refused there.
   */
  it.each([
    [
      'PUT /Invoices request',
      'Invoices',
      { Invoices: [{ Payments: [{ Invoice: { Total: 'x' } }] }] },
      '/Invoices/0/Payments/0/Invoice/Total',
    ],
    [
      'GET /Invoices response',
      'Invoices',
      {
        Invoices: [
          {
            CreditNotes: [{ Allocations: [{ Amount: 1, Date: '2024-01-01', Invoice: { Status: 'OPEN' } }] }],
          },
        ],
      },
      '/Invoices/0/CreditNotes/0/Allocations/0/Invoice/Status',
    ],
    [
      'PUT /CreditNotes request',
      'CreditNotes',
      {
        CreditNotes: [
          { Allocations: [{ Amount: 1, Date: '2024-01-01', Invoice: { LineItems: [{ Quantity: 'two' }] } }] },
        ],
      },
      '/CreditNotes/0/Allocations/0/Invoice/LineItems/0/Quantity',
    ],
    [
      'GET /CreditNotes response',
      'CreditNotes',
      { CreditNotes: [{ Payments: [{ CreditNote: { Totl: 1 } }] }] },
      '/CreditNotes/0/Payments/0/CreditNote',
    ],
    [
      'PUT /CreditNotes/{id}/Allocations request',
      'Allocations',
      { Allocations: [{ Amount: 1, Date: '2024-01-01', Invoice: { Payments: [{ Amount: '1' }] } }] },
      '/Allocations/0/Invoice/Payments/0/Amount',
    ],
    [
      'PUT /CreditNotes/{id}/Allocations missing Invoice',
      'Allocations',
      { Allocations: [{ Amount: 1, Date: '2024-01-01' }] },
      '/Allocations/0',
    ],
    [
      'PUT /Payments request',
      'Payment',
      { Invoice: { CreditNotes: [{ Total: '1' }] }, Amount: 1 },
      '/Invoice/CreditNotes/0/Total',
    ],
    [
      'GET /Payments response',
      'Payments',
      { Payments: [{ Invoice: { Payments: [{ Status: 'PAID' }] } }] },
      '/Payments/0/Invoice/Payments/0/Status',
    ],
  ])('refuses a wrong body deep in a cycle: %s', (_operation, schema, body, where) => {
    const problems = validateAgainst(schema, body);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.some((p) => p.startsWith(`${where}:`))).toBe(true);
  });

  it('an exchange is checked both ways: a bad request, a bad 2xx answer and a bad 400 body each fail', () => {
    const exchange = {
      method: 'PUT',
      path: '/api.xro/2.0/CreditNotes/00000000-0000-0000-0000-000000000001/Allocations',
      status: 200,
      userAgent: 'xero-node-20.0.0',
      requestBody: {
        Allocations: [
          { Amount: '5', Date: '2024-01-01', Invoice: { InvoiceID: '00000000-0000-0000-0000-000000000002' } },
        ],
      },
      responseBody: { Allocations: [{ Amount: 5, Date: '2024-01-01', Invoice: { InvoiceID: 'x' } }] },
    };
    expect(exchangeProblems(spec, exchange)).toEqual([
      `request PUT ${exchange.path}: /Allocations/0/Amount: must be number`,
      `response PUT ${exchange.path} 200: /Allocations/0/Invoice/InvoiceID: must match format "uuid"`,
    ]);
    expect(exchangeProblems(spec, exchange, false)).toHaveLength(1);
    const refused = {
      ...exchange,
      status: 400,
      responseBody: { ErrorNumber: '10', Type: 'ValidationException' },
    };
    expect(exchangeProblems(spec, refused, false)[0]).toMatch(/ErrorNumber: must be integer/);
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
      seen.add(`${exchange.method} ${exchange.path.replace(/[0-9a-f-]{36}/g, ':id')} ${exchange.status}`);
      expect(exchange.userAgent).toMatch(/^xero-node-/);
      problems.push(...exchangeProblems(spec, exchange));
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
