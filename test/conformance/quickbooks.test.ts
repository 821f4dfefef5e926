import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { signatureMatches } from '../../server/http/ledger-webhook-routes.js';
import { LedgerError } from '../../server/ledgers/ledger-error.js';
import { callSdk } from '../../server/ledgers/quickbooks/api.js';
import { paymentsFromCdc } from '../../server/ledgers/quickbooks/payments.js';
import {
  cdcResponseSchema,
  deletedSchema,
  documentSchema,
  optionSchema,
  partySchema,
  paymentSchema,
  queryResponseSchema,
  taxCodeSchema,
  taxRateSchema,
} from '../../server/ledgers/quickbooks/wire.js';
import { openGate } from '../../server/outbound/call-gate.js';
import { answerServer } from './support/answer-server.js';
import { body, filesMatching, rawText } from './support/corpus.js';

/** The entity each product schema reads, by the entity's name in a QBO answer. */
const schemaForEntity: Record<string, z.ZodType> = {
  Invoice: documentSchema,
  CreditMemo: documentSchema,
  Bill: documentSchema,
  JournalEntry: documentSchema,
  Customer: partySchema,
  Vendor: partySchema,
  Payment: paymentSchema,
  Account: optionSchema,
  Class: optionSchema,
  Item: optionSchema,
  Term: optionSchema,
  TaxCode: optionSchema,
  // getTaxRate: the rate a TaxCode's TaxRateRef names (client.ts, for the lines' tax).
  TaxRate: taxRateSchema,
};

/** Every entity in an answer (`{Invoice:{…}}`, a QueryResponse, or CDC), with its name. */
function entitiesOf(answer: Record<string, unknown>): [string, unknown][] {
  const found: [string, unknown][] = [];
  const visit = (holder: Record<string, unknown>) => {
    for (const [name, value] of Object.entries(holder)) {
      if (!schemaForEntity[name]) continue;
      for (const entity of Array.isArray(value) ? value : [value]) found.push([name, entity]);
    }
  };
  visit(answer);
  const query = answer.QueryResponse as Record<string, unknown> | undefined;
  if (query) visit(query);
  for (const cdc of (answer.CDCResponse as { QueryResponse?: Record<string, unknown>[] }[] | undefined) ?? [])
    for (const q of cdc.QueryResponse ?? []) visit(q);
  return found;
}

const answers = filesMatching('quickbooks', /\.(json|xml)$/).filter((file) => {
  const value = body(file) as Record<string, unknown>;
  return entitiesOf(value).length > 0;
});

describe('QuickBooks corpus through the product’s wire schemas', () => {
  it('finds entities in the real answers (invoices, parties, payments, reference lists, CDC)', () => {
    expect(answers.length).toBeGreaterThanOrEqual(18);
  });

  it.each(answers)('%s: every entity parses with the product’s schema', (file) => {
    const answer = body(file) as Record<string, unknown>;
    if (answer.QueryResponse) expect(queryResponseSchema.safeParse(answer).success).toBe(true);
    if (answer.CDCResponse) expect(cdcResponseSchema.safeParse(answer).success).toBe(true);
    for (const [name, entity] of entitiesOf(answer)) {
      // CDC reports a deleted entity as a bare {Id, status: "Deleted"}: the product reads those apart.
      const deleted = (entity as { status?: string }).status === 'Deleted';
      const parsed = (deleted ? deletedSchema : schemaForEntity[name]!).safeParse(entity);
      expect(parsed.success ? [] : parsed.error.issues, `${file} ${name}`).toEqual([]);
    }
  });

  it('a real TaxCode read by id (getTaxCode) parses with the schema the tax lookup uses', () => {
    const { TaxCode } = body('quickbooks/tax-code.ruby.xml') as { TaxCode: unknown };
    const parsed = taxCodeSchema.safeParse(TaxCode);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    expect(parsed.data?.SalesTaxRateList?.TaxRateDetail?.map((d) => d.TaxRateRef.value)).toEqual(['1']);
  });

  it('a real JournalEntry has no TotalAmt: its amount is the sum of its lines', () => {
    const journal = (body('quickbooks/journal-entry.ruby.xml') as { JournalEntry: Record<string, unknown> })
      .JournalEntry;
    expect(journal.TotalAmt).toBeUndefined();
    expect((journal.Line as unknown[]).length).toBeGreaterThan(1);
  });

  it('a real voided Payment (TotalAmt 0, "Voided", lines cleared) is reported as voided, never dropped', () => {
    const voided = (body('quickbooks/payment-void-response-success.ruby.xml') as { Payment: unknown })
      .Payment;
    // The CDC envelope is QBO's (cdcResponseSchema); the entity inside is the real one.
    const feed = paymentsFromCdc({ CDCResponse: [{ QueryResponse: [{ Payment: [voided] }] }] });
    expect(feed.payments).toEqual([
      expect.objectContaining({ id: '8748', state: 'voided', amountMinor: 0n }),
    ]);
  });

  it('the real CDC answer yields its payments in update order', () => {
    const feed = paymentsFromCdc(body('quickbooks/change-data-capture-response.ruby.xml'));
    const times = feed.payments.map((p) => p.updatedAt);
    expect([...times].sort()).toEqual(times);
    expect(feed.full).toBe(false);
  });

  it('the documented webhook body verifies against intuit-signature over its raw bytes', () => {
    // Intuit signs with the app's verifier token, which is secret: a test token stands in.
    const raw = Buffer.from(rawText('quickbooks/webhook-customer-vendor-create.json'));
    const signature = createHmac('sha256', 'test-verifier').update(raw).digest('base64');
    expect(signatureMatches(raw, signature, 'test-verifier')).toBe(true);
    expect(signatureMatches(Buffer.concat([raw, Buffer.from(' ')]), signature, 'test-verifier')).toBe(false);
  });
});

/*
 * Real error bodies, served over real HTTP to the real node-quickbooks: what the product makes of
 * each is what it would make of QuickBooks saying it.
 */
describe('QuickBooks error bodies through node-quickbooks and errors.ts', () => {
  let server: Awaited<ReturnType<typeof answerServer>>;
  let invalidations = 0;
  beforeAll(async () => {
    server = await answerServer();
  });
  afterAll(() => server.close());

  const fail = async (status: number, file: string, headers: Record<string, string> = {}) => {
    const xml = file.endsWith('.xml');
    server.answer(status, rawText(file), xml ? 'application/xml' : 'application/json', headers);
    const settings = {
      apiBaseUrl: `${server.url}/v3/company/`,
      realmId: '123',
      tokens: {
        accessToken: async () => 'test-token',
        invalidate: () => {
          invalidations += 1;
        },
      },
      minorVersion: 75,
      timeoutMs: 5_000,
      gate: openGate,
    };
    // The product asks for JSON; an XML body is transcribed the way QBO's JSON carries it.
    if (xml) server.answer(status, JSON.stringify(body(file)), 'application/json', headers);
    return callSdk(settings, 'getInvoice', '1').then(
      () => undefined,
      (error: unknown) => error as LedgerError,
    );
  };

  it.each([
    [400, 'quickbooks/query-validation-error.ruby.xml', 'ledger_validation', '4001'],
    [400, 'quickbooks/query-not-queryable-property.issue403.xml', 'ledger_validation', '4001'],
    [400, 'quickbooks/customer-duplicate-error.ruby.xml', 'ledger_validation', '6240'],
    [500, 'quickbooks/generic-error.ruby.xml', 'ledger_unavailable', '10000'],
    [429, 'quickbooks/too-many-requests-error.ruby.xml', 'ledger_rate_limited', '3001'],
    [401, 'quickbooks/error-401-3200-malformed-token.json', 'ledger_unauthorized', '3200'],
    [401, 'quickbooks/error-401-100-authentication.xml', 'ledger_unauthorized', '100'],
  ] as const)('%i %s → %s (provider code %s)', async (status, file, code, providerCode) => {
    const error = await fail(status, file);
    expect(error).toBeInstanceOf(LedgerError);
    expect(error?.code).toBe(code);
    expect(error?.providerCode).toBe(providerCode);
    expect(error?.providerMessage.length).toBeGreaterThan(5);
  });

  // Was a finding for ledger-fid (every 403 read as 3100); 403 is now keyed on code 3100.
  it('a real 403 ThrottleExceeded (3001) is a rate limit, not a permissions problem', async () => {
    const error = await fail(403, 'quickbooks/throttle-exceeded-error.ruby.xml');
    expect(error?.code).toBe('ledger_rate_limited');
  });

  it.each([
    'quickbooks/error-403-3100-authorization-failed.json',
    'quickbooks/error-403-3100-insufficient-scope.xml',
  ])('a real 403/3100 (%s) needs a reconnect and is not retried', async (file) => {
    const error = await fail(403, file);
    expect(error?.providerCode).toBe('3100');
    expect(error?.retryable).toBe(false);
  });
});
