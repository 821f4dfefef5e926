import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LedgerError } from '../../server/ledgers/ledger-error.js';
import { customer, invoiceDoc, startXeroFixture } from './support/xero-fixture.js';

let fx: Awaited<ReturnType<typeof startXeroFixture>>;
let contactId: string;
beforeAll(async () => {
  fx = await startXeroFixture({ timeoutMs: 300 });
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

describe('every Xero failure reaches the caller as a typed LedgerError', () => {
  it("validation: unknown account and tax type, with Xero's messages joined", async () => {
    const lines = invoiceDoc().lines.map((l) => ({ ...l, accountKey: '999', taxKey: 'BOGUS' }));
    const error = await failure(fx.ledger.create(invoiceDoc({ lines }), contactId, 'v'));
    expect(error.code).toBe('ledger_validation');
    expect(error.providerCode).toBe('ValidationException');
    expect(error.providerMessage).toContain("Account code '999' is not a valid code for this document.");
    expect(error.providerMessage).toContain("The TaxType code 'BOGUS' does not exist");
  });

  it('duplicate number', async () => {
    await fx.ledger.create(invoiceDoc(), contactId, 'first');
    const error = await failure(fx.ledger.create(invoiceDoc(), contactId, 'second'));
    expect(error).toMatchObject({
      code: 'ledger_duplicate_number',
      providerMessage: 'Invoice # must be unique.',
      retryable: false,
    });
  });

  it('unknown contact, and a payment-side problem: allocation over the amount due', async () => {
    expect(
      (await failure(fx.ledger.create(invoiceDoc(), '00000000-0000-0000-0000-000000000000', 'x')))
        .providerMessage,
    ).toMatch(/contact/i);
    const invoice = await fx.ledger.create(invoiceDoc(), contactId, 'i');
    const credit = await fx.ledger.create(
      invoiceDoc({ type: 'credit_memo', number: 'CM-1' }),
      contactId,
      'c',
    );
    const error = await failure(
      fx.ledger.applyCredit({
        creditId: credit.id,
        invoiceId: invoice.id,
        amountMinor: 99_999_00n,
        currency: 'USD',
        decimals: 2,
        date: '2024-03-12',
        idempotencyKey: 'a',
      }),
    );
    expect(error.code).toBe('ledger_validation');
    expect(error.providerMessage).toMatch(/exceeds/);
  });

  it('item code longer than 30 characters is refused before sending, with a hint', async () => {
    const lines = [{ ...invoiceDoc().lines[0]!, itemKey: 'MANAGED-SERVICES-AGREEMENT-GOLD-TIER' }];
    const sentBefore = fx.sim.traffic.total;
    const error = await failure(
      fx.ledger.create(invoiceDoc({ lines, taxMinor: 3000n, totalMinor: 33000n }), contactId, 'long'),
    );
    expect(error).toMatchObject({ code: 'ledger_validation', providerCode: 'item_code_too_long' });
    expect(error.providerMessage).toMatch(/36 characters; Xero allows 30.*shorter Xero item code/);
    expect(fx.sim.traffic.total).toBe(sentBefore);
  });

  it("401 expired token: ledger_unauthorized with Xero's detail, and the token is invalidated", async () => {
    await fx.control('/__sim/oauth/expire-access-tokens');
    const before = fx.tokens.invalidations;
    const error = await failure(fx.ledger.listAccounts());
    expect(error).toMatchObject({ code: 'ledger_unauthorized', status: 401 });
    expect(error.providerMessage).toMatch(/^TokenExpired: token expired at/);
    expect(fx.tokens.invalidations).toBe(before + 1);
    expect((await fx.ledger.listAccounts()).length).toBeGreaterThan(0);
  });

  it('429 from the minute limit carries Retry-After and the problem', async () => {
    await fx.control('/__sim/limits', { perMinute: 6 });
    const results = [];
    for (let i = 0; i < 6; i++)
      results.push(
        await fx.ledger.listAccounts().then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
    const error = results.find(Boolean) as LedgerError;
    expect(error).toBeInstanceOf(LedgerError);
    expect(error).toMatchObject({ code: 'ledger_rate_limited', providerCode: 'minute', retryable: true });
    expect(error.retryAfterMs).toBeGreaterThan(0);
  });

  it('429 injected, 500 injected, and a timeout', async () => {
    await fx.control('/__sim/faults', {
      path: '/api.xro/2.0/Accounts',
      kind: 'http429',
      retryAfterSeconds: 7,
    });
    expect(await failure(fx.ledger.listAccounts())).toMatchObject({
      code: 'ledger_rate_limited',
      retryAfterMs: 7000,
    });
    await fx.control('/__sim/faults', { path: '/api.xro/2.0/Accounts', kind: 'http500' });
    const unavailable = await failure(fx.ledger.listAccounts());
    expect(unavailable).toMatchObject({ code: 'ledger_unavailable', status: 500, retryable: true });
    expect(unavailable.providerMessage).toMatch(/An error occurred in Xero/);
    await fx.control('/__sim/faults', { path: '/api.xro/2.0/Accounts', kind: 'timeout', delayMs: 2000 });
    expect(await failure(fx.ledger.listAccounts())).toMatchObject({
      code: 'ledger_timeout',
      retryable: true,
    });
  });

  it('404 for an unknown document', async () => {
    expect((await failure(fx.ledger.get('invoice', '00000000-0000-0000-0000-000000000000'))).code).toBe(
      'ledger_not_found',
    );
  });
});

describe('idempotency', () => {
  it('the same key twice makes one document and answers the same', async () => {
    const first = await fx.ledger.create(invoiceDoc(), contactId, 'same-key');
    const again = await fx.ledger.create(invoiceDoc(), contactId, 'same-key');
    expect(again.id).toBe(first.id);
    expect(fx.books().Invoices).toHaveLength(1);
  });

  it('a create whose answer was lost is retried with its key: still one document', async () => {
    await fx.control('/__sim/faults', {
      method: 'PUT',
      path: '/api.xro/2.0/Invoices',
      kind: 'drop_response_after_write',
    });
    const lost = await failure(fx.ledger.create(invoiceDoc(), contactId, 'retry-key'));
    expect(lost).toMatchObject({ code: 'ledger_unavailable', retryable: true });
    expect(fx.books().Invoices).toHaveLength(1);
    const retried = await fx.ledger.create(invoiceDoc(), contactId, 'retry-key');
    expect(retried.id).toBe(fx.books().Invoices[0]!.InvoiceID);
    expect(fx.books().Invoices).toHaveLength(1);
  });

  it('keys longer than 128 characters are hashed, not rejected', async () => {
    const key = 'k'.repeat(300);
    const a = await fx.ledger.create(invoiceDoc(), contactId, key);
    expect((await fx.ledger.create(invoiceDoc(), contactId, key)).id).toBe(a.id);
  });
});
