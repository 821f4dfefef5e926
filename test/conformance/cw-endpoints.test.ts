import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextLink } from '../../server/connectwise/connection.js';
import { glAccountChoices } from '../../server/connectwise/gl-account-choices.js';
import { companySchema, glAccountSchema } from '../../server/connectwise/schemas.js';
import { callbackRegistration } from '../../server/pipeline/callback-watchdog.js';
import {
  buildExpense,
  buildInvoiceWithGl,
  buildProcurement,
  defaultMember,
  seedWith,
  testClientId,
} from '../../sim/connectwise/index.js';
import { type SimAndClient, startSimAndClient } from '../connectwise/support.js';
import { body, rawText } from './support/corpus.js';
import { cwAnswerServer } from './support/cw-answer-server.js';
import { undocumentedPaths } from './support/cw-types.js';
import { compareShapes, shapeOf } from './support/shape.js';

/*
 * Issue 12, every ConnectWise endpoint the product calls: each corpus answer is served over real HTTP
 * to the product's own client (server/connectwise/client.ts and its zod schemas), each request body
 * the product sends is held to the corpus request and to ConnectWise's own types (connectwise-rest
 * ManageTypes), and the simulator answers in the corpus answer's shape. Most of these files are
 * constructed from CW's types and real values (PROVENANCE.md says which and why).
 */

const pathsOf = (value: unknown) => [...shapeOf(value).types.keys()].filter((p) => p !== '');
const idsOf = (value: unknown) => (value as { id: unknown }[]).map((r) => r.id);

describe('ConnectWise corpus answers over HTTP through the product client', () => {
  let cw: Awaited<ReturnType<typeof cwAnswerServer>>;
  beforeAll(async () => {
    cw = await cwAnswerServer();
  });
  afterAll(() => cw.close());

  type Client = typeof cw.client;
  const lists: [string, string, (c: Client) => Promise<unknown[]>][] = [
    [
      'unposted-invoices-get.json',
      'GET /finance/accounting/unpostedinvoices',
      (c) => c.listUnposted('invoices'),
    ],
    [
      'unposted-expenses-get.json',
      'GET /finance/accounting/unpostedexpenses',
      (c) => c.listUnposted('expenses'),
    ],
    [
      'unposted-procurement-get.json',
      'GET /finance/accounting/unpostedprocurement',
      (c) => c.listUnposted('procurement'),
    ],
    ['invoice-payments-get.json', 'GET /finance/invoices/206/payments', (c) => c.listInvoicePayments(206)],
    ['gl-accounts-get.json', 'GET /finance/glAccounts', (c) => c.listGlAccounts()],
    ['tax-codes-get.json', 'GET /finance/taxCodes', (c) => c.listTaxCodes()],
    ['billing-terms-get.json', 'GET /finance/billingTerms', (c) => c.listBillingTerms()],
    ['security-roles-get.json', 'GET /system/securityroles', (c) => c.listSecurityRoles()],
  ];

  it.each(lists)('%s (%s) is read whole', async (file, key, call) => {
    cw.answer(key, { body: rawText(`connectwise/${file}`) });
    const records = await call(cw.client);
    expect(idsOf(records)).toEqual(idsOf(body(`connectwise/${file}`)));
    // Read as sent: unknown fields kept, nothing coerced.
    expect(records).toEqual(body(`connectwise/${file}`));
  });

  it('a member sign-in is confirmed from /system/myMembers/info with cookies, no API keys', async () => {
    cw.answer('GET /system/myMembers/info', { body: rawText('connectwise/my-members-info-get.json') });
    const member = await cw.client.verifyMember({
      companyid: 'CW',
      memberid: 'User1',
      memberHash: 'hash',
      memberContext: '',
    });
    expect(member).toMatchObject({ id: 176, identifier: 'User1' });
    const sent = cw.requests.at(-1)!;
    expect(sent.headers.cookie).toBe('companyName=CW; memberHash=hash; memberId=User1');
    expect(sent.headers.authorization).toBeUndefined();
  });

  it('a payment is posted with the fields of a documented one, and read back for its id', async () => {
    cw.answer('POST /finance/invoices/206/payments', {
      status: 201,
      body: rawText('connectwise/invoice-payment-post.201.json'),
    });
    const created = await cw.client.createInvoicePayment(206, {
      amount: 10,
      paymentDate: '2018-10-11T00:00:00Z',
      type: 'Payment',
    });
    expect(created).toMatchObject({ id: 3 });
    const sent = cw.requests.at(-1)!;
    const [documented] = body('connectwise/invoice-payment-post.zynk.xml') as Record<string, unknown>[];
    // Zynk's `id` (which payment to update) and `externalId` (its own) are not part of a new payment.
    const { id: _id, externalId: _externalId, ...asPosted } = documented!;
    expect(sent.body).toEqual(expect.objectContaining(asPosted));
    expect(compareShapes(documented, sent.body)).toMatchObject({ types: [], signs: [] });
    expect(undocumentedPaths(sent.body, 'Payment')).toEqual([]);
  });

  it('a GL batch is posted as CW’s CreateAccountingBatchRequest, ids as integers', async () => {
    cw.answer('POST /finance/accounting/batches', { status: 201, body: '{}' });
    const documented = body('connectwise/gl-batch-post.request.json') as Record<string, unknown>;
    const zynk = (body('connectwise/gl-batch-post.zynk.xml') as Record<string, unknown>[])[0]!;
    // The JSON form carries Zynk's values under CW's names.
    expect([documented.batchIdentifier, documented.processedRecordIds]).toEqual([
      String(zynk.batchIdentifier),
      zynk.glRecIds,
    ]);
    await cw.client.createBatch({
      batchIdentifier: 'LP-221106',
      processedRecordIds: [320042, 320044],
      exportInvoicesFlag: true,
      exportExpensesFlag: false,
      exportProductsFlag: false,
    });
    const sent = cw.requests.at(-1)!;
    expect(undocumentedPaths(sent.body, 'CreateAccountingBatchRequest')).toEqual([]);
    expect(compareShapes(documented, sent.body)).toEqual({ invented: [], types: [], signs: [] });
  });

  // Issue 12, "every endpoint": django-connectwise registers owner-level callbacks with objectId 1.
  it('a callback is registered as a working integration registers one (owner level, objectId 1)', async () => {
    cw.answer('POST /system/callbacks', {
      status: 201,
      body: rawText('connectwise/callback-entry.djcw.json'),
    });
    const documented = body('connectwise/callback-post.request.json') as Record<string, unknown>;
    const registration = callbackRegistration('https://ledgerpod.example.com/webhooks/connectwise/t-1');
    expect(registration).toMatchObject({ type: 'invoice', level: 'owner', objectId: documented.objectId });
    const entry = await cw.client.registerCallback(registration);
    expect(entry.id).toBe(0);
    const sent = cw.requests.at(-1)!;
    expect(undocumentedPaths(sent.body, 'CallbackEntry')).toEqual([]);
    expect(compareShapes(documented, sent.body)).toEqual({ invented: [], types: [], signs: [] });
    expect(pathsOf(sent.body).sort()).toEqual(pathsOf(documented).sort());
  });
});

// Finding: CW's GLAccount has no accountNumber or description (the mapping screen read both).
describe('GL accounts as CW types them, on the mapping screen', () => {
  it('are offered by account number (their first segment), one per number, named by what maps to it', () => {
    const accounts = glAccountSchema.array().parse(body('connectwise/gl-accounts-get.json'));
    expect(glAccountChoices(accounts)).toEqual([
      { key: '4000', name: '4000 System Engineer, Non-Taxable Products' },
      { key: '9999', name: '9999 T1' },
      { key: '1100', name: '1100 Main' },
    ]);
    // The real GL export names its revenue and tax accounts by these numbers.
    const exported = body('connectwise/gl-export-invoices.zynk.xml') as {
      transactions: { detail: { accountNumber: string }[] }[];
    };
    const named = exported.transactions.flatMap((t) => t.detail.map((d) => d.accountNumber));
    expect(named.length).toBeGreaterThan(0);
    for (const number of named) expect(glAccountChoices(accounts).map((c) => c.key)).toContain(number);
  });

  it('an entry without segments is offered by its id', () => {
    expect(glAccountChoices([{ id: 7 }])).toEqual([{ key: '7', name: '7' }]);
  });
});

describe('a real Link header', () => {
  const real = (body('connectwise/paged-list-link-header.json') as { headers: { Link: string } }).headers
    .Link;

  it('names the next page; the product takes it and ignores the rest (cut off in the published copy)', () => {
    expect(nextLink(real)).toBe(
      'https://SERVERNAME/v4_6_release/apis/3.0/company/companies?pageSize=1000&page=2',
    );
  });

  it('is followed by the product’s paging, over HTTP, to the page it names', async () => {
    const cw = await cwAnswerServer();
    try {
      const companies = JSON.stringify(body('connectwise/companies-get.zynk.xml'));
      // The links as CW sent them: the one the blog cut off (ending in `…`, no header character) left out.
      const sent = real
        .split(', ')
        .filter((part) => /^<[^>]+>;/.test(part))
        .join(', ')
        .replaceAll('https://SERVERNAME', cw.origin);
      cw.answer('GET /company/companies', { body: companies, headers: { link: sent } }, { body: '[]' });
      const all = [];
      for await (const page of cw.client.pages('/company/companies', companySchema)) all.push(...page);
      expect(all.map((c) => c.id)).toEqual(idsOf(body('connectwise/companies-get.zynk.xml')));
      expect(cw.requests.map((r) => r.path)).toEqual([
        '/company/companies?page=1&pageSize=1000',
        '/company/companies?pageSize=1000&page=2',
      ]);
    } finally {
      await cw.close();
    }
  });
});

describe('ConnectWise simulator answers in the shape of the corpus answers', () => {
  let sim: SimAndClient;
  const invoice = buildInvoiceWithGl({
    number: '197',
    lines: [{ description: 'Labor', quantity: 1, unitPrice: 444 }],
  });
  // A second one, so that a page of one is followed by a Link header.
  const another = buildInvoiceWithGl({
    number: '198',
    lines: [{ description: 'Labor', quantity: 1, unitPrice: 10 }],
  });
  beforeAll(async () => {
    sim = await startSimAndClient(
      seedWith([invoice, another], {
        expenses: [buildExpense({ amount: 42.5, type: 'Meals' })],
        procurement: [buildProcurement({ procurementType: 'Purchase', total: 12.5 })],
      }),
    );
  });
  afterAll(() => sim.close());

  const sameTypesAndSigns = (file: string, answer: unknown) => {
    const { types, signs } = compareShapes(body(`connectwise/${file}`), answer);
    return { types, signs };
  };

  it('accepts a documented payment (Zynk’s fields) and answers it as the corpus answer', async () => {
    const [documented] = body('connectwise/invoice-payment-post.zynk.xml') as Record<string, unknown>[];
    const { id: _id, externalId: _externalId, ...asPosted } = documented!;
    const response = await sim.raw(`/finance/invoices/${invoice.invoice.id}/payments`, {
      method: 'POST',
      body: JSON.stringify({ ...asPosted, invoice: { id: invoice.invoice.id } }),
    });
    expect(response.status).toBe(201);
    expect(sameTypesAndSigns('invoice-payment-post.201.json', await response.json())).toEqual({
      types: [],
      signs: [],
    });
  });

  it.each([
    ['unposted-invoices-get.json', '/finance/accounting/unpostedinvoices'],
    ['unposted-expenses-get.json', '/finance/accounting/unpostedexpenses'],
    ['unposted-procurement-get.json', '/finance/accounting/unpostedprocurement'],
    ['billing-terms-get.json', '/finance/billingTerms'],
    ['security-roles-get.json', '/system/securityroles'],
  ])('%s: GET %s with the same types and signs', async (file, path) => {
    const response = await sim.raw(path);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as unknown[];
    expect(answer.length).toBeGreaterThan(0);
    expect(sameTypesAndSigns(file, answer)).toEqual({ types: [], signs: [] });
  });

  it('registers the product’s callback and answers it as the real CallbackEntry (django-connectwise)', async () => {
    const response = await sim.raw('/system/callbacks', {
      method: 'POST',
      body: JSON.stringify(callbackRegistration('https://ledgerpod.example.com/webhooks/connectwise/t-2')),
    });
    expect(response.status).toBe(201);
    const answer = await response.json();
    expect(sameTypesAndSigns('callback-entry.djcw.json', answer)).toEqual({ types: [], signs: [] });
    expect(undocumentedPaths(answer, 'CallbackEntry')).toEqual([]);
  });

  it('invoice payments: the same types and signs', async () => {
    const answer = await (await sim.raw(`/finance/invoices/${invoice.invoice.id}/payments`)).json();
    expect((answer as unknown[]).length).toBeGreaterThan(0);
    expect(sameTypesAndSigns('invoice-payments-get.json', answer)).toEqual({ types: [], signs: [] });
  });

  it('/system/myMembers/info answers CW’s MyMemberInfo, not the whole Member', async () => {
    const signedIn = (await sim.control('/member-auth', {
      memberIdentifier: defaultMember.identifier,
    })) as Record<string, string>;
    const cookie = [
      `companyName=${encodeURIComponent(signedIn.companyid ?? '')}`,
      `memberHash=${encodeURIComponent(signedIn.memberHash ?? '')}`,
      `memberId=${encodeURIComponent(signedIn.memberid ?? '')}`,
      `memberContext=${encodeURIComponent(signedIn.memberContext ?? '')}`,
    ].join('; ');
    const response = await fetch(`${sim.api}/system/myMembers/info`, {
      headers: { cookie, clientId: testClientId },
    });
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(undocumentedPaths(answer, 'MyMemberInfo')).toEqual([]);
    expect(sameTypesAndSigns('my-members-info-get.json', answer)).toEqual({ types: [], signs: [] });
  });

  it('a list longer than a page: a Link header of the real one’s form', async () => {
    const response = await sim.raw('/finance/accounting/unpostedinvoices?pageSize=1&page=1');
    const link = response.headers.get('link') ?? '';
    const real = new URL(
      nextLink(
        (body('connectwise/paged-list-link-header.json') as { headers: { Link: string } }).headers.Link,
      )!,
    );
    const next = new URL(nextLink(link) ?? 'http://missing');
    expect(link).toMatch(/^<[^>]+>; rel="next"/);
    expect(next.pathname).toBe(`${new URL(sim.api).pathname}/finance/accounting/unpostedinvoices`);
    expect([...next.searchParams.keys()].sort()).toEqual([...real.searchParams.keys()].sort());
    expect(next.searchParams.get('page')).toBe('2');
  });
});
