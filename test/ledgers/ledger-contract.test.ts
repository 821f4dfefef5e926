import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.js';
import type { LedgerConnection } from '../../server/db/schema.js';
import type { Ledger, LedgerPayment } from '../../server/ledgers/ledger.js';
import { LedgerError } from '../../server/ledgers/ledger-error.js';
import { createTestDatabase } from '../support/test-database.js';
import {
  connectTenant,
  processOn,
  type SimHandle,
  simConfig,
  startQboSim,
  startXeroSimHandle,
} from './support/ledger-worlds.js';

/**
 * One suite, both ledgers: every ledger is built by the registry from a stored connection, so
 * the tokens, the refresh and the call gate are the ones the product uses.
 */
describe.each([
  ['qbo', startQboSim],
  ['xero', startXeroSimHandle],
] as const)('Ledger contract: %s', (_kind, startSim) => {
  let sim: SimHandle;
  let database: DatabaseHandle;
  let connection: LedgerConnection;
  let ledger: Ledger;
  let partyId: string;

  beforeAll(async () => {
    sim = await startSim();
    database = await createTestDatabase();
    const config = simConfig(sim.url, sim.url);
    ({ connection } = await connectTenant(database, config, sim));
    ledger = processOn(database, config).registry.for(connection);
    partyId = await ledger.ensureParty(sim.knownParty, 'party-known');
  });
  afterAll(async () => {
    await sim?.close();
    await database?.close();
  });

  const ledgerError = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a LedgerError');
      },
      (error: unknown) => {
        expect(error).toBeInstanceOf(LedgerError);
        return error as LedgerError;
      },
    );

  it('ensures a customer: finds the known one, creates a new one once', async () => {
    const before = await sim.partyIds();
    expect(before).toContain(partyId);
    expect(await ledger.ensureParty(sim.knownParty, 'party-known-2')).toBe(partyId);
    const created = await ledger.ensureParty(sim.newParty, 'party-new');
    expect(await ledger.ensureParty(sim.newParty, 'party-new-again')).toBe(created);
    expect(await sim.partyIds()).toHaveLength(before.length + 1);
  });

  it('creates an invoice and a credit memo, finds them by number, applies the credit', async () => {
    const invoice = await ledger.create(sim.invoice('C-1001'), partyId, 'create-C-1001');
    expect(invoice).toMatchObject({ type: 'invoice', number: 'C-1001', status: 'open' });
    expect(invoice.balanceMinor).toBe(invoice.totalMinor);
    const credit = await ledger.create(sim.creditMemo('CM-1001'), partyId, 'create-CM-1001');
    expect(credit).toMatchObject({ type: 'credit_memo', number: 'CM-1001' });

    const found = await ledger.findByNumbers('invoice', ['C-1001', 'C-404']);
    expect([...found.keys()]).toEqual(['C-1001']);
    expect(found.get('C-1001')?.id).toBe(invoice.id);
    expect((await ledger.findByNumbers('credit_memo', ['CM-1001'])).get('CM-1001')?.id).toBe(credit.id);

    await ledger.applyCredit({
      creditId: credit.id,
      invoiceId: invoice.id,
      amountMinor: 500n,
      currency: 'USD',
      decimals: 2,
      date: '2024-05-02',
      idempotencyKey: 'apply-CM-1001',
    });
    const after = await ledger.get('invoice', invoice.id);
    expect(after.balanceMinor).toBe(invoice.totalMinor - 500n);
    expect(after.status).toBe('partly_paid');
  });

  it('lists payments since a time, after a payment recorded as a person would', async () => {
    const invoice = await ledger.create(sim.invoice('C-2001'), partyId, 'create-C-2001');
    const since = new Date(Date.now() - 1000);
    await sim.recordPayment(invoice.id, '12.34');
    const payments: LedgerPayment[] = [];
    for await (const page of ledger.paymentsSince(since)) payments.push(...page);
    expect(payments.filter((p) => p.documentId === invoice.id)).toEqual([
      expect.objectContaining({
        documentId: invoice.id,
        amountMinor: 1234n,
        currency: 'USD',
        state: 'active',
      }),
    ]);
  });

  it('reads a document as the books hold it: tax, the money and the credits applied to it', async () => {
    const invoice = await ledger.create(sim.invoice('C-3501'), partyId, 'create-C-3501');
    const credit = await ledger.create(sim.creditMemo('CM-3501'), partyId, 'create-CM-3501');
    await sim.recordPayment(invoice.id, '10.00');
    await ledger.applyCredit({
      creditId: credit.id,
      invoiceId: invoice.id,
      amountMinor: 500n,
      currency: 'USD',
      decimals: 2,
      date: '2024-05-02',
      idempotencyKey: 'apply-CM-3501',
    });
    const state = await ledger.documentState('invoice', invoice.id, 'C-3501');
    expect(state.document).toMatchObject({ id: invoice.id, number: 'C-3501', status: 'partly_paid' });
    expect(state.document!.balanceMinor).toBe(invoice.totalMinor - 1000n - 500n);
    expect(state.document!.taxMinor).toBe(sim.invoice('C-3501').taxMinor);
    expect(state.payments).toEqual([
      expect.objectContaining({ documentId: invoice.id, amountMinor: 1000n, state: 'active' }),
    ]);
    expect(state.credits).toEqual([
      expect.objectContaining({ creditId: credit.id, creditNumber: 'CM-3501', amountMinor: 500n }),
    ]);
    expect(state.sameNumber).toEqual([]);
    // The credit memo's side: the invoice it was applied to (issue 14 item 4, "on both records").
    const memo = await ledger.documentState('credit_memo', credit.id, 'CM-3501');
    expect(memo.appliedTo).toEqual([
      expect.objectContaining({ invoiceId: invoice.id, invoiceNumber: 'C-3501', amountMinor: 500n }),
    ]);
    // A document the books no longer hold (or never did) reads as gone, not as a failure.
    expect((await ledger.documentState('invoice', sim.missingId, 'C-404')).document).toBeUndefined();
  });

  it("hands every ledger failure to the caller as a typed LedgerError with the provider's message", async () => {
    const refused = await ledgerError(ledger.create(sim.invoice('C-3001'), sim.badPartyId, 'bad-party'));
    expect(refused).toMatchObject({ code: 'ledger_validation', retryable: false });
    expect(refused.providerMessage).toMatch(sim.badPartyMessage);

    await ledger.create(sim.invoice('C-3002'), partyId, 'dup-first');
    const duplicate = await ledgerError(ledger.create(sim.invoice('C-3002'), partyId, 'dup-second-key'));
    expect(duplicate).toMatchObject({ code: 'ledger_duplicate_number', retryable: false });
    expect(duplicate.providerMessage).toMatch(/duplicate|unique/i);

    const missing = await ledgerError(ledger.get('invoice', sim.missingId));
    expect(missing.code).toBe('ledger_not_found');

    await sim.control('POST', '/__sim/faults', { ...sim.createPath('invoice'), kind: 'http500' });
    const down = await ledgerError(ledger.create(sim.invoice('C-3003'), partyId, 'down'));
    expect(down).toMatchObject({ code: 'ledger_unavailable', retryable: true, status: 500 });
    expect(down.providerMessage.length).toBeGreaterThan(10);
  });

  it('leaves exactly one document for the same push twice and for a retry after a dropped response', async () => {
    const first = await ledger.create(sim.invoice('C-4001'), partyId, 'idem-C-4001');
    const again = await ledger.create(sim.invoice('C-4001'), partyId, 'idem-C-4001');
    expect(again.id).toBe(first.id);

    await sim.control('POST', '/__sim/faults', {
      ...sim.createPath('invoice'),
      kind: 'drop_response_after_write',
    });
    const dropped = await ledgerError(ledger.create(sim.invoice('C-4002'), partyId, 'idem-C-4002'));
    expect(dropped).toMatchObject({ code: 'ledger_unavailable', retryable: true });
    const retried = await ledger.create(sim.invoice('C-4002'), partyId, 'idem-C-4002');

    const numbers = await sim.documentNumbers('invoice');
    expect(numbers.filter((n) => n === 'C-4001')).toHaveLength(1);
    expect(numbers.filter((n) => n === 'C-4002')).toHaveLength(1);
    expect((await ledger.findByNumbers('invoice', ['C-4002'])).get('C-4002')?.id).toBe(retried.id);
  });

  it('lists accounts, tax codes, classes, items and terms for the mapping pickers', async () => {
    const [accounts, taxCodes, classes, items, terms] = await Promise.all([
      ledger.listAccounts(),
      ledger.listTaxCodes(),
      ledger.listClasses(),
      ledger.listItems(),
      ledger.listTerms(),
    ]);
    for (const list of [accounts, taxCodes, classes, items]) {
      expect(list.length).toBeGreaterThan(0);
      expect(list[0]).toMatchObject({ key: expect.any(String), name: expect.any(String) });
    }
    // QBO keeps Term entities an invoice names; a Xero invoice carries only its due date.
    if (ledger.kind === 'qbo')
      expect(terms).toContainEqual(expect.objectContaining({ name: 'Net 30', detail: 'due in 30 days' }));
    else expect(terms).toEqual([]);
  });
});
