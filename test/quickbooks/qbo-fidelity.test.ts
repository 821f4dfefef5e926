import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerError } from '../../server/ledgers/ledger-error.js';
import { callSdk } from '../../server/ledgers/quickbooks/api.js';
import { toLedgerError } from '../../server/ledgers/quickbooks/errors.js';
import { paymentsFromCdc } from '../../server/ledgers/quickbooks/payments.js';
import { openGate } from '../../server/outbound/call-gate.js';
import { invoiceDoc, startHarness } from './harness.js';

/** Issue 12: QuickBooks Online as the real one behaves (domain.md §8), through node-quickbooks. */
let h: Awaited<ReturnType<typeof startHarness>>;
let token: string;
beforeAll(async () => {
  h = await startHarness();
  token = (await h.control('POST', '/__sim/oauth/tokens', { realmId: h.realmId })).access_token;
});
afterAll(() => h.close());

const corpus = (name: string) =>
  JSON.parse(readFileSync(new URL(`../conformance/quickbooks/${name}`, import.meta.url), 'utf8'));

const query = (text: string) =>
  fetch(`${h.url}/v3/company/${h.realmId}/query?query=${encodeURIComponent(text)}&minorversion=75`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  });

const customers = async () =>
  (await h.state()).realms[h.realmId].Customer as { Id: string; DisplayName: string; Notes?: string }[];

describe('parties without AcctNum', () => {
  it('the simulator refuses AcctNum in a WHERE as QBO does: 400, code 4001, the corpus shape', async () => {
    const res = await query("select * from Customer where AcctNum = 'ACME01'");
    expect(res.status).toBe(400);
    const body = await res.json();
    const real = corpus('query-acctnum-not-queryable.json');
    expect(body.Fault.type).toBe(real.Fault.type);
    expect(body.Fault.Error[0]).toMatchObject({
      code: real.Fault.Error[0].code,
      Message: real.Fault.Error[0].Message,
      Detail: "QueryValidationError: property 'AcctNum' is not queryable",
    });
    const vendor = await query("select * from Vendor where PrimaryEmailAddr = 'a@b.test'");
    expect(vendor.status).toBe(400);
    expect((await vendor.json()).Fault.Error[0].code).toBe('4001');
    // DisplayName is filterable, IN included.
    const ok = await query("select * from Customer where DisplayName IN ('Acme Corp', 'Nobody')");
    expect(ok.status).toBe(200);
    expect((await ok.json()).QueryResponse.Customer).toHaveLength(1);
  });

  it('a customer new to QBO is created once, then found again by its display name', async () => {
    const party = {
      kind: 'customer' as const,
      cwId: '501',
      accountNumber: 'NEW501',
      name: "O'Brien \\ Sons",
      email: undefined,
    };
    const id = await h.ledger.ensureParty(party, 'fid-p1');
    const again = await h.ledger.ensureParty(party, 'fid-p2');
    expect(again).toBe(id);
    const named = (await customers()).filter((c) => c.DisplayName === "O'Brien \\ Sons");
    expect(named).toHaveLength(1);
    const invoice = await h.ledger.create(invoiceDoc({ number: 'FID-1', party }), id, 'fid-inv-1');
    expect(invoice.number).toBe('FID-1');
  });

  it('a name held by a vendor: the suffixed customer is found again, not created twice', async () => {
    await h.control('POST', '/__sim/seed', {
      realms: { [h.realmId]: { Vendor: [{ Id: '900', DisplayName: 'Initech' }] } },
    });
    const party = {
      kind: 'customer' as const,
      cwId: '502',
      accountNumber: undefined,
      name: 'Initech',
      email: undefined,
    };
    const id = await h.ledger.ensureParty(party, 'fid-p3');
    expect(await h.ledger.ensureParty(party, 'fid-p4')).toBe(id);
    expect((await customers()).filter((c) => c.DisplayName.startsWith('Initech'))).toEqual([
      expect.objectContaining({ Id: id, DisplayName: 'Initech (customer)' }),
    ]);
  });
});

describe('403 / 3100 ApplicationAuthorizationFailed', () => {
  it('the real body maps to a non-retryable unauthorized error that says to reconnect', () => {
    const error = toLedgerError({
      isAxiosError: true,
      response: { status: 403, data: corpus('forbidden-3100.json'), headers: {} },
    });
    expect(error).toBeInstanceOf(LedgerError);
    expect(error.code).toBe('ledger_unauthorized');
    expect(error.providerCode).toBe('3100');
    expect(error.retryable).toBe(false);
    expect(error.providerMessage).toMatch(/reconnect/i);
  });
});

describe('voided payments', () => {
  it('node-quickbooks voidPayment (sparse update, include=void) voids in the simulator as QBO documents', async () => {
    const invoice = await h.ledger.create(invoiceDoc({ number: 'FID-V1' }), '100', 'fid-v1');
    const since = new Date(Date.now() - 1000);
    const paid = await h.control('POST', `/__sim/realms/${h.realmId}/payments`, {
      invoiceId: invoice.id,
      amount: 50,
      date: '2024-05-10',
    });
    const settings = {
      apiBaseUrl: `${h.url}/v3/company/`,
      realmId: h.realmId,
      tokens: h.tokens,
      minorVersion: 75,
      timeoutMs: 5_000,
      gate: openGate,
    };
    const voided = (await callSdk(settings, 'voidPayment', {
      Id: paid.Payment.Id,
      SyncToken: paid.Payment.SyncToken,
    })) as { TotalAmt: number; PrivateNote: string; Line: { Amount: number }[] };
    expect(voided).toMatchObject({ TotalAmt: 0, PrivateNote: expect.stringMatching(/^Voided/) });
    expect(voided.Line.every((l) => l.Amount === 0)).toBe(true);
    expect((await h.ledger.get('invoice', invoice.id)).balanceMinor).toBe(invoice.totalMinor);

    const seen = [];
    for await (const page of h.ledger.paymentsSince(since)) seen.push(...page);
    expect(seen).toContainEqual(
      expect.objectContaining({ id: paid.Payment.Id, documentId: invoice.id, state: 'voided' }),
    );
  });

  it('a voided payment whose lines were cleared is still reported, by its id', () => {
    const { payments } = paymentsFromCdc({
      CDCResponse: [
        {
          QueryResponse: [
            {
              Payment: [
                {
                  Id: '77',
                  SyncToken: '1',
                  TotalAmt: 0,
                  PrivateNote: 'Voided',
                  TxnDate: '2024-05-10',
                  Line: [],
                  MetaData: { LastUpdatedTime: '2024-05-11T10:00:00-07:00' },
                },
              ],
            },
          ],
        },
      ],
    });
    expect(payments).toEqual([expect.objectContaining({ id: '77', documentId: '', state: 'voided' })]);
  });
});
