import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerError } from '../../server/ledgers/ledger-error.js';
import { createQuickBooksLedger } from '../../server/ledgers/quickbooks/client.js';
import { invoiceDoc, startHarness } from './harness.js';

let h: Awaited<ReturnType<typeof startHarness>>;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function ledgerError(promise: Promise<unknown>): Promise<LedgerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LedgerError);
  return error as LedgerError;
}

describe('QuickBooks ledger against the simulator (node-quickbooks over HTTP)', () => {
  it('creates an invoice and a credit memo with totals computed by QBO', async () => {
    const invoice = await h.ledger.create(invoiceDoc(), '100', 'key-inv-1001');
    expect(invoice).toMatchObject({
      type: 'invoice',
      number: 'INV-1001',
      totalMinor: 9824n,
      balanceMinor: 9824n,
    });
    expect(invoice.status).toBe('open');
    expect(invoice.url).toBe(`https://app.qbo.intuit.com/app/invoice?txnId=${invoice.id}`);
    const credit = await h.ledger.create(
      invoiceDoc({ type: 'credit_memo', number: 'CM-1001', taxMinor: 0n, totalMinor: 8999n }),
      '100',
      'key-cm-1001',
    );
    expect(credit).toMatchObject({ type: 'credit_memo', totalMinor: 8999n });
    const got = await h.ledger.get('invoice', invoice.id);
    expect(got.version).toBe('0');
  });

  it('finds documents by number in one query', async () => {
    const found = await h.ledger.findByNumbers('invoice', ['INV-1001', "O'Brien-1", 'missing']);
    expect([...found.keys()]).toEqual(['INV-1001']);
  });

  it('ensures parties: by account number, by name, and new with a cleaned, unique name', async () => {
    const party = invoiceDoc().party;
    expect(await h.ledger.ensureParty(party, 'p1')).toBe('100');
    expect(await h.ledger.ensureParty({ ...party, accountNumber: undefined, name: 'acme corp' }, 'p2')).toBe(
      '100',
    );
    await h.control('POST', '/__sim/seed', {
      realms: { [h.realmId]: { Vendor: [{ Id: '200', DisplayName: 'Globex - West' }] } },
    });
    const id = await h.ledger.ensureParty(
      { kind: 'customer', cwId: '9', accountNumber: 'GLX', name: 'Globex: West', email: 'ap@globex.test' },
      'p3',
    );
    const again = await h.ledger.ensureParty(
      { kind: 'customer', cwId: '9', accountNumber: 'GLX', name: 'Globex: West', email: undefined },
      'p4',
    );
    expect(again).toBe(id);
    const state = await h.state();
    const created = state.realms[h.realmId].Customer.find((c: { Id: string }) => c.Id === id);
    expect(created.DisplayName).toBe('Globex - West (customer)');
    const curly = await h.ledger.ensureParty(
      {
        kind: 'customer',
        cwId: '10',
        accountNumber: undefined,
        name: 'Bob\u2019s \u201cBest\u201d',
        email: undefined,
      },
      'p5',
    );
    const bob = (await h.state()).realms[h.realmId].Customer.find((c: { Id: string }) => c.Id === curly);
    expect(bob.DisplayName).toBe('Bob\'s "Best"');
  });

  it('applies a credit memo and reports payments since a time, including deletions', async () => {
    const since = new Date(Date.now() - 1000);
    const invoice = await h.ledger.create(invoiceDoc({ number: 'INV-2001' }), '100', 'key-inv-2001');
    const paid = await h.control('POST', `/__sim/realms/${h.realmId}/payments`, {
      invoiceId: invoice.id,
      amount: 50,
      date: '2024-05-10',
    });
    let pages = [];
    for await (const page of h.ledger.paymentsSince(since)) pages.push(...page);
    expect(pages).toContainEqual(
      expect.objectContaining({
        id: paid.Payment.Id,
        documentId: invoice.id,
        amountMinor: 5000n,
        state: 'active',
      }),
    );
    expect((await h.ledger.get('invoice', invoice.id)).status).toBe('partly_paid');

    const credit = await h.ledger.create(
      invoiceDoc({
        type: 'credit_memo',
        number: 'CM-2001',
        lines: invoiceDoc().lines.slice(0, 1),
        taxMinor: 0n,
      }),
      '100',
      'key-cm-2001',
    );
    await h.ledger.applyCredit({
      creditId: credit.id,
      invoiceId: invoice.id,
      amountMinor: 4824n,
      currency: 'USD',
      decimals: 2,
      date: '2024-05-11',
      idempotencyKey: 'apply-1',
    });
    expect(await h.ledger.get('invoice', invoice.id)).toMatchObject({ balanceMinor: 0n, status: 'paid' });

    await h.control('DELETE', `/__sim/realms/${h.realmId}/payments/${paid.Payment.Id}`);
    pages = [];
    for await (const page of h.ledger.paymentsSince(since)) pages.push(...page);
    expect(pages).toContainEqual(expect.objectContaining({ id: paid.Payment.Id, state: 'deleted' }));
    expect((await h.ledger.get('invoice', invoice.id)).balanceMinor).toBe(5000n);
  });

  it('updates with the SyncToken and refuses a stale one (5010)', async () => {
    const created = await h.ledger.create(invoiceDoc({ number: 'INV-3001' }), '100', 'key-inv-3001');
    const updated = await h.ledger.update(
      created,
      invoiceDoc({ number: 'INV-3001', taxMinor: 0n }),
      '100',
      'u1',
    );
    expect(updated).toMatchObject({ id: created.id, version: '1', totalMinor: 8999n });
    const stale = await ledgerError(
      h.ledger.update(created, invoiceDoc({ number: 'INV-3001' }), '100', 'u2'),
    );
    expect(stale).toMatchObject({ code: 'ledger_stale_version', providerCode: '5010' });
    expect(stale.providerMessage).toMatch(/Stale Object Error/);
  });

  it('updates a party by its id (sparse, with its SyncToken), reading it again once after a 5010', async () => {
    const party = { kind: 'customer' as const, cwId: '41', accountNumber: undefined, email: undefined };
    const id = await h.ledger.ensureParty({ ...party, name: 'Sync Token Co' }, 'party-41');
    // A bookkeeper edits the customer in QBO between our read and our write: the write is stale.
    let calls = 0;
    const gate = {
      run: async <T>(call: () => Promise<T>) => {
        calls += 1;
        if (calls === 2) {
          const customer = (await h.state()).realms[h.realmId].Customer.find((c: any) => c.Id === id);
          await fetch(`${h.url}/v3/company/${h.realmId}/customer?operation=update`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${await h.tokens.accessToken()}`,
              'content-type': 'application/json',
              accept: 'application/json',
            },
            body: JSON.stringify({
              Id: id,
              SyncToken: customer.SyncToken,
              sparse: true,
              Notes: 'edited in QBO',
            }),
          }).then((r) => expect(r.status).toBe(200));
        }
        return call();
      },
      slowDown: async () => undefined,
    };
    const ledger = createQuickBooksLedger({
      apiBaseUrl: `${h.url}/v3/company/`,
      realmId: h.realmId,
      tokens: h.tokens,
      gate,
    });
    await ledger.updateParty(
      id,
      {
        ...party,
        name: 'Sync Token Group',
        email: 'ap@synctoken.example',
        address: { line1: '2 New St', city: 'Reno', region: 'NV', postalCode: '89501' },
      },
      'party-41-details',
    );
    // get, stale update (5010), get again, update.
    expect(calls).toBe(4);
    const customers = (await h.state()).realms[h.realmId].Customer as any[];
    expect(customers.filter((c) => c.Id === id)).toEqual([
      expect.objectContaining({
        DisplayName: 'Sync Token Group',
        PrimaryEmailAddr: { Address: 'ap@synctoken.example' },
        BillAddr: { Line1: '2 New St', City: 'Reno', CountrySubDivisionCode: 'NV', PostalCode: '89501' },
        // The sparse update kept what the bookkeeper wrote.
        Notes: 'edited in QBO',
      }),
    ]);
    expect(customers.filter((c) => /Sync Token/.test(c.DisplayName))).toHaveLength(1);
  });

  it('maps every QBO failure to a typed LedgerError with the provider message', async () => {
    const duplicate = await ledgerError(h.ledger.create(invoiceDoc(), '100', 'another-key'));
    expect(duplicate).toMatchObject({ code: 'ledger_duplicate_number', providerCode: '6140' });
    expect(duplicate.providerMessage).toMatch(/Duplicate Document Number/);

    const badRef = await ledgerError(h.ledger.create(invoiceDoc({ number: 'INV-4001' }), '999', 'k-badref'));
    expect(badRef).toMatchObject({ code: 'ledger_validation', providerCode: '6000' });
    expect(badRef.providerMessage).toMatch(/CustomerRef/);

    const missing = await ledgerError(h.ledger.get('invoice', '987654'));
    expect(missing).toMatchObject({ code: 'ledger_not_found', providerCode: '610' });

    await h.control('POST', '/__sim/faults', { path: '/v3/company/*/invoice', kind: 'http500' });
    const down = await ledgerError(h.ledger.create(invoiceDoc({ number: 'INV-4002' }), '100', 'k-500'));
    expect(down).toMatchObject({ code: 'ledger_unavailable', retryable: true, status: 500 });
    expect(down.providerMessage).toMatch(/application error/);

    await h.control('POST', '/__sim/faults', {
      path: '/v3/company/*/query',
      kind: 'http429',
      retryAfterSeconds: 7,
    });
    const limited = await ledgerError(h.ledger.findByNumbers('invoice', ['x']));
    expect(limited).toMatchObject({ code: 'ledger_rate_limited', retryAfterMs: 7000 });
    expect(limited.providerMessage).toMatch(/ThrottleExceeded/);

    await h.control('POST', '/__sim/faults', {
      path: '/v3/company/*/invoice/*',
      kind: 'timeout',
      delayMs: 5000,
    });
    const slow = await ledgerError(h.ledger.get('invoice', '1'));
    expect(slow.code).toBe('ledger_timeout');
    await h.control('DELETE', '/__sim/faults');

    await h.control('POST', '/__sim/oauth/expire-access-tokens');
    const unauthorized = await ledgerError(h.ledger.get('invoice', '1'));
    expect(unauthorized).toMatchObject({ code: 'ledger_unauthorized', providerCode: '3200', status: 401 });
    expect(unauthorized.providerMessage).toMatch(/AuthenticationFailed/);
    expect(h.tokens.invalidated).toBe(1);
    await h.refreshAccessToken();
  });

  it('throttles per company when over the concurrency limit', async () => {
    const small = await startHarness({ concurrent: 2 });
    try {
      await small.control('POST', '/__sim/latency', { ms: 150 });
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => small.ledger.findByNumbers('invoice', ['a'])),
      );
      const limited = results.filter(
        (r) => r.status === 'rejected' && r.reason.code === 'ledger_rate_limited',
      );
      expect(limited.length).toBeGreaterThan(0);
    } finally {
      await small.close();
    }
  });

  it('is idempotent: same key twice, and a retry after a dropped response, give one document', async () => {
    const first = await h.ledger.create(invoiceDoc({ number: 'INV-5001' }), '100', 'idem-5001');
    const second = await h.ledger.create(invoiceDoc({ number: 'INV-5001' }), '100', 'idem-5001');
    expect(second.id).toBe(first.id);

    await h.control('POST', '/__sim/faults', {
      method: 'POST',
      path: '/v3/company/*/invoice',
      kind: 'drop_response_after_write',
    });
    const dropped = await ledgerError(
      h.ledger.create(invoiceDoc({ number: 'INV-5002' }), '100', 'idem-5002'),
    );
    expect(dropped).toMatchObject({ code: 'ledger_unavailable', retryable: true });
    const retried = await h.ledger.create(invoiceDoc({ number: 'INV-5002' }), '100', 'idem-5002');
    const state = await h.state();
    const copies = state.realms[h.realmId].Invoice.filter(
      (i: { DocNumber: string }) => i.DocNumber === 'INV-5002',
    );
    expect(copies).toHaveLength(1);
    expect(copies[0].Id).toBe(retried.id);
  });

  it('refuses a DocNumber over 21 characters before calling QBO', async () => {
    await expect(
      h.ledger.create(invoiceDoc({ number: 'X'.repeat(22) }), '100', 'long'),
    ).rejects.toMatchObject({
      code: 'document_number_too_long',
    });
  });

  it('lists accounts, tax codes, classes and items for the mapping pickers', async () => {
    const accounts = await h.ledger.listAccounts();
    expect(accounts.find((a) => a.key === '1')).toMatchObject({
      name: 'Services',
      detail: 'Income',
      active: true,
    });
    expect((await h.ledger.listTaxCodes()).map((t) => t.key)).toContain('21');
    expect((await h.ledger.listClasses()).map((c) => c.name)).toContain('Managed');
    expect((await h.ledger.listItems()).map((i) => i.name)).toContain('Managed Services');
  });
});
