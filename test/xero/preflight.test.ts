import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JournalDocument, LedgerDocument } from '../../server/ledgers/ledger.js';
import { LedgerError } from '../../server/ledgers/ledger-error.js';
import { XERO_LIMITS } from '../../server/ledgers/xero/mapping.js';
import { storedErrorOf } from '../../server/records/stored-error.js';
import { customer, invoiceDoc, startXeroFixture } from './support/xero-fixture.js';

/**
 * Xero's preflight (the pod's check before ConnectWise saves) refuses what `create` would refuse,
 * as the same error, and sends nothing: for each refusal, preflight and create are compared, and the
 * simulator must have seen no request from either.
 */
let fx: Awaited<ReturnType<typeof startXeroFixture>>;
let contactId: string;
beforeAll(async () => {
  fx = await startXeroFixture();
});
afterAll(() => fx.close());
beforeEach(async () => {
  fx.sim.reset();
  fx.seed();
  fx.tokens.invalidate();
  contactId = await fx.ledger.ensureParty(customer(), 'contact');
});

async function failure(promise: Promise<unknown>): Promise<LedgerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LedgerError);
  return error as LedgerError;
}

/** Preflight's refusal, checked to be create's own, with no request sent by either. */
async function refusedAlike(document: LedgerDocument): Promise<LedgerError> {
  const sentBefore = fx.sim.traffic.total;
  const checked = await failure(fx.ledger.preflight(document));
  const pushed = await failure(fx.ledger.create(document, contactId, `create-${document.number}`));
  expect(checked).toMatchObject({
    code: pushed.code,
    providerCode: pushed.providerCode,
    providerMessage: pushed.providerMessage,
    retryable: false,
  });
  expect(fx.sim.traffic.total).toBe(sentBefore);
  expect(fx.books().Invoices ?? []).toHaveLength(0);
  return checked;
}

const journal = (overrides: Partial<JournalDocument> = {}): JournalDocument => ({
  type: 'journal',
  number: 'JE-5',
  date: '2024-03-31',
  currency: 'USD',
  decimals: 2,
  memo: 'Accrual',
  lines: [
    { description: 'Wages', amountMinor: 12345n, accountKey: '477', classKey: undefined },
    { description: 'Payable', amountMinor: -12345n, accountKey: '800', classKey: undefined },
  ],
  ...overrides,
});

describe("Xero's preflight refuses what create would, sending nothing", () => {
  it('passes a document Xero takes, without a request, and create then books it', async () => {
    const sentBefore = fx.sim.traffic.total;
    await expect(fx.ledger.preflight(invoiceDoc())).resolves.toBeUndefined();
    expect(fx.sim.traffic.total).toBe(sentBefore);
    expect((await fx.ledger.create(invoiceDoc(), contactId, 'clean')).number).toBe('CW-1001');
  });

  it(`a number over Xero's ${XERO_LIMITS.documentNumber} characters, and exactly ${XERO_LIMITS.documentNumber} passes`, async () => {
    const long = `INV-${'9'.repeat(XERO_LIMITS.documentNumber - 3)}`;
    const error = await refusedAlike(invoiceDoc({ number: long }));
    expect(storedErrorOf(error).code).toBe('document_number_too_long');
    expect(error.providerMessage).toContain(
      `is ${XERO_LIMITS.documentNumber + 1} characters; Xero allows ${XERO_LIMITS.documentNumber}`,
    );
    await expect(fx.ledger.preflight(invoiceDoc({ number: long.slice(1) }))).resolves.toBeUndefined();
  });

  it('a credit note with a number over the limit, as the invoice', async () => {
    const error = await refusedAlike(
      invoiceDoc({ type: 'credit_memo', number: 'C'.repeat(XERO_LIMITS.documentNumber + 1) }),
    );
    expect(storedErrorOf(error).code).toBe('document_number_too_long');
  });

  it("lines and tax that do not add up to the document's total", async () => {
    const error = await refusedAlike(invoiceDoc({ totalMinor: 30801n }));
    expect(storedErrorOf(error).code).toBe('out_of_balance');
    expect(error.providerMessage).toBe('Out of balance: lines 280.00 + tax 28.00 ≠ total 308.01 USD.');
  });

  it("an item code over Xero's 30 characters", async () => {
    const lines = [{ ...invoiceDoc().lines[0]!, itemKey: 'I'.repeat(XERO_LIMITS.itemCode + 1) }];
    const error = await refusedAlike(invoiceDoc({ lines, taxMinor: 3000n, totalMinor: 33000n }));
    expect(storedErrorOf(error).code).toBe('item_code_too_long');
  });

  it('tax above the amount of the lines it was charged on', async () => {
    const lines = [{ ...invoiceDoc().lines[0]!, amountMinor: 1000n, quantity: '1', unitPrice: '10' }];
    const error = await refusedAlike(invoiceDoc({ lines, taxMinor: 2000n, totalMinor: 3000n }));
    expect(error.providerMessage).toMatch(/is more than the 10\.00 USD it was charged on/);
  });

  it("a journal in a currency other than the organisation's base, read from Xero (the one request)", async () => {
    const document = journal({ currency: 'EUR' });
    const before = new Map(fx.sim.traffic.byRoute);
    const checked = await failure(fx.ledger.preflight(document));
    const pushed = await failure(fx.ledger.create(document, undefined, 'je-eur'));
    expect(checked.providerMessage).toBe(pushed.providerMessage);
    expect(checked.providerMessage).toMatch(/^Journal JE-5 is in EUR, but Xero books manual journals/);
    expect(fx.books().ManualJournals ?? []).toHaveLength(0);
    // Only reads were sent (the organisation's base currency), never a journal.
    const sent = [...fx.sim.traffic.byRoute].filter(([route, n]) => n !== (before.get(route) ?? 0));
    expect(sent.map(([route]) => route).filter((route) => !route.startsWith('GET '))).toEqual([]);
    await expect(fx.ledger.preflight(journal())).resolves.toBeUndefined();
  });
});
