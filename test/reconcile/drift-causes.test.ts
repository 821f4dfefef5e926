import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queues } from '../../server/jobs/queues.js';
import { sendRollingChecks } from '../../server/reconcile/drift-jobs.js';
import { api, post } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * Issue 16 item 1: each drift cause is introduced in a ledger simulator (or in ConnectWise's), as a
 * bookkeeper would, and found by the drift check through the real SDKs; the fix Ledgerpod makes
 * itself works exactly once.
 */
const creditMemo = (id: number, number: string) =>
  invoice(id, number, {
    type: 'CreditMemo',
    lines: [{ description: 'Service credit', quantity: 1, unitPrice: 100, accountNumber: '4000' }],
  });

describe.each(['qbo', 'xero'] as const)('drift check against %s', (kind) => {
  let world: PipelineWorld;
  const books = kind === 'qbo' ? 'QuickBooks' : 'Xero';
  beforeAll(async () => {
    // No payments schedule: a payment made in the books stays missing in ConnectWise until the
    // test's own fix (or check) says otherwise.
    world = await startPipelineWorld(kind, {
      env: { PAYMENTS_CHECK_MINUTES: '0', DRIFT_CHECK_MINUTES: '0' },
    });
  });
  afterAll(() => world.close());

  const person = (path: string, body: unknown = {}) =>
    post(
      world.ledgerSim.url,
      kind === 'qbo'
        ? `/__sim/realms/${world.ledgerSim.externalId}${path}`
        : `/__sim/tenants/${world.ledgerSim.externalId}${path}`,
      body,
    );
  const synced = async (type: 'invoice' | 'credit_memo', cwId: number, number: string) => {
    await world.seedInvoices([type === 'invoice' ? invoice(cwId, number) : creditMemo(cwId, number)]);
    expect((await world.pushRecord(type, cwId)).status).toBe(202);
    return (await world.waitForRecord(type, cwId, ['synced'], 45_000)).ledger!.id as string;
  };
  const check = async (cwId: number) => {
    const res = await api(
      world.pod.url,
      world.token.accountant,
      'POST',
      `/api/v1/records/invoice/${cwId}/differences/check`,
      {},
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.differences as {
      code: string;
      cause: string;
      fix: { text: string; action?: string; ref: string };
    }[];
  };
  const fix = (cwId: number, code: string, ref: string) =>
    api(world.pod.url, world.token.accountant, 'POST', `/api/v1/records/invoice/${cwId}/differences/fix`, {
      code,
      ref,
    });
  /**
   * Until no record refresh waits or runs: a status read while the push ran may have queued one, and
   * a refresh applies credits shown in ConnectWise itself (credit-application.ts), before the fix.
   */
  const refreshesDone = async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { rows } = await world.pod
        .jobs!.boss.getDb()
        .executeSql(
          `select count(*)::int as n from pgboss.job where name = $1 and state in ('created', 'retry', 'active')`,
          [queues.refreshRecord],
        );
      if ((rows[0] as { n: number }).n === 0) return;
      if (Date.now() > deadline) throw new Error('record refreshes never finished');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const codes = (list: { code: string }[]) => list.map((d) => d.code).sort();
  const cwPayments = async (cwId: number) =>
    (await world.cwState()).payments.filter((p) => p.invoice.id === cwId && !p.creditMemo);

  it('finds nothing on an invoice both systems agree on', async () => {
    await synced('invoice', 9101, 'DR-9101');
    expect(await check(9101)).toEqual([]);
    const stored = await api(
      world.pod.url,
      world.token.viewer,
      'GET',
      '/api/v1/records/invoice/9101/differences',
    );
    expect(stored.body).toMatchObject({ checkable: true, differences: [], checkedAt: expect.any(String) });
  });

  it('finds a payment in the books missing in ConnectWise, and writes it exactly once', async () => {
    const ledgerId = await synced('invoice', 9102, 'DR-9102');
    await world.ledgerSim.recordPayment(ledgerId, '500.00');
    const [missing, ...rest] = await check(9102);
    expect(rest).toEqual([]);
    expect(missing).toMatchObject({
      code: 'payment_missing_in_cw',
      cause: expect.stringMatching(
        new RegExp(
          `^Paid 500.00 USD in ${books} on \\d{4}-\\d{2}-\\d{2}; ConnectWise does not show the payment yet\\.$`,
        ),
      ),
      fix: { action: 'write_payment', ref: expect.any(String) },
    });
    // Three asks at once (a double click, two accountants): one payment in ConnectWise.
    const answers = await Promise.all([1, 2, 3].map(() => fix(9102, missing!.code, missing!.fix.ref)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.filter((a) => a.body.fixed)).toHaveLength(1);
    const again = await fix(9102, missing!.code, missing!.fix.ref);
    expect(again.body).toMatchObject({ fixed: false, differences: [] });
    expect((await cwPayments(9102)).map((p) => p.amount)).toEqual([500]);
    expect(await check(9102)).toEqual([]);
  });

  it('reports a payment entered in ConnectWise that the books do not have', async () => {
    await synced('invoice', 9103, 'DR-9103');
    await world.pod.services.connectWise
      .for(world.tenant)
      .createInvoicePayment(9103, { amount: 100, paymentDate: '2024-05-10T00:00:00Z', type: 'Payment' });
    const found = await check(9103);
    expect(found).toEqual([
      expect.objectContaining({
        code: 'payment_missing_in_books',
        cause: `A payment of 100.00 USD on 2024-05-10 was entered in ConnectWise but is not in ${books}.`,
        fix: { text: expect.stringContaining(`Receive it in ${books}`) },
      }),
    ]);
    expect(found[0]!.fix.action).toBeUndefined();
  });

  it('explains a credit applied in the books only', async () => {
    const invoiceId = await synced('invoice', 9104, 'DR-9104');
    const creditId = await synced('credit_memo', 9105, 'CM-9105');
    if (kind === 'qbo') await person('/apply-credit', { creditMemoId: creditId, invoiceId, amount: 108.25 });
    else await person('/allocate', { creditNoteId: creditId, invoiceId, amount: 108.25 });
    expect(await check(9104)).toEqual([
      expect.objectContaining({
        code: 'credit_only_in_books',
        cause: `Paid in ${books} by credit CM-9105 (108.25 USD); ConnectWise does not show it.`,
        fix: { text: 'Apply CM-9105 to DR-9104 in ConnectWise.' },
      }),
    ]);
  });

  it('applies a credit applied in ConnectWise only in the books, once', async () => {
    await synced('invoice', 9106, 'DR-9106');
    await synced('credit_memo', 9107, 'CM-9107');
    await refreshesDone();
    await post(world.cw.url, '/__sim/invoices/9106/apply-credit', { creditMemoId: 9107, date: '2024-05-20' });
    const [onlyInCw, ...rest] = await check(9106);
    expect(rest).toEqual([]);
    expect(onlyInCw).toMatchObject({
      code: 'credit_only_in_cw',
      cause: `Credit CM-9107 (108.25 USD) is applied to DR-9106 in ConnectWise but not in ${books}.`,
      fix: { action: 'apply_credit', ref: 'CM-9107' },
    });
    const first = await fix(9106, onlyInCw!.code, onlyInCw!.fix.ref);
    expect(first.body, JSON.stringify(first.body)).toMatchObject({ fixed: true, differences: [] });
    expect((await fix(9106, onlyInCw!.code, onlyInCw!.fix.ref)).body.fixed).toBe(false);
    const applied = await world.pod.database.db
      .selectFrom('credit_applications')
      .selectAll()
      .where('state', '=', 'applied')
      .execute();
    expect(applied.filter((a) => a.amount_minor === '10825')).toHaveLength(1);
    expect(await check(9106)).toEqual([]);
  });

  it('finds an invoice edited in the books', async () => {
    const ledgerId = await synced('invoice', 9108, 'DR-9108');
    if (kind === 'qbo') await person(`/invoices/${ledgerId}/edit`, { lineAmount: 1500 });
    else await person(`/invoices/${ledgerId}/edit`, { unitAmount: 1500 });
    const found = await check(9108);
    const edited = found.find((d) => d.code === 'total_edited_in_books');
    expect(edited?.cause).toMatch(
      new RegExp(
        `^DR-9108 was edited in ${books}: its total there is [\\d.]+ USD, ConnectWise's 1658.93 USD\\.$`,
      ),
    );
    expect(codes(found).filter((c) => c !== 'tax_edited_in_books')).toEqual(['total_edited_in_books']);
  });

  it('finds an invoice changed in ConnectWise after it synced, and names ConnectWise', async () => {
    await synced('invoice', 9110, 'DR-9110');
    // Edited in ConnectWise: one more line (1658.93 becomes 1875.43 with tax); the books unchanged.
    await world.seedInvoices([
      invoice(9110, 'DR-9110', {
        lines: [
          { description: 'Managed services May', quantity: 1, unitPrice: 1200, accountNumber: '4000' },
          { description: 'Onsite labour', quantity: 3.5, unitPrice: 95, accountNumber: '4000' },
          { description: 'Onsite labour (missed)', quantity: 2, unitPrice: 100, accountNumber: '4000' },
        ],
      }),
    ]);
    const found = await check(9110);
    expect(codes(found)).toEqual(['total_edited_in_cw']);
    expect(found[0]!.cause).toBe(
      `DR-9110 was changed in ConnectWise after it synced: its total there is 1875.43 USD, ${books} still holds 1658.93 USD.`,
    );
  });

  it.runIf(kind === 'qbo')(
    'finds the tax changed in the books',
    async () => {
      const ledgerId = await synced('invoice', 9109, 'DR-9109');
      await person(`/invoices/${ledgerId}/edit`, { totalTax: 100 });
      const found = await check(9109);
      expect(codes(found)).toEqual(['tax_edited_in_books', 'total_edited_in_books']);
      expect(found.find((d) => d.code === 'tax_edited_in_books')!.cause).toBe(
        'The tax on DR-9109 was changed in QuickBooks: 100.00 USD there, 126.43 USD in ConnectWise.',
      );
    },
    60_000,
  );

  it('finds an invoice voided in the books', async () => {
    const ledgerId = await synced('invoice', 9110, 'DR-9110');
    await person(`/invoices/${ledgerId}/void`);
    expect(codes(await check(9110))).toEqual(['voided_in_books']);
  });

  // Xero deletes only drafts: an approved invoice is voided (covered above).
  it.runIf(kind === 'qbo')(
    'finds an invoice deleted in the books',
    async () => {
      const ledgerId = await synced('invoice', 9111, 'DR-9111');
      await fetch(`${world.ledgerSim.url}/__sim/realms/${world.ledgerSim.externalId}/invoices/${ledgerId}`, {
        method: 'DELETE',
      });
      const found = await check(9111);
      expect(found).toEqual([
        expect.objectContaining({
          code: 'deleted_in_books',
          cause: 'DR-9111 was deleted in QuickBooks after it synced; ConnectWise still has it.',
        }),
      ]);
    },
    60_000,
  );

  it('finds a document in the books with our number that Ledgerpod did not create', async () => {
    const ledgerId = await synced('invoice', 9112, 'DR-9112');
    // Both keep a sales number to one live invoice: ours is voided (Xero) or deleted (QBO) first, then
    // one keyed in by hand with the same number.
    if (kind === 'xero') await person(`/invoices/${ledgerId}/void`);
    await person(`/invoices/${ledgerId}/copy`, kind === 'qbo' ? { deleteOriginal: true } : {});
    const found = await check(9112);
    expect(codes(found)).toEqual(
      kind === 'qbo' ? ['deleted_in_books', 'foreign_document'] : ['foreign_document', 'voided_in_books'],
    );
    expect(found.find((d) => d.code === 'foreign_document')!.cause).toBe(
      `${books} holds another invoice numbered DR-9112 (1658.93 USD) that Ledgerpod did not create.`,
    );
  });

  it('lists the records with differences in the Differences queue and per company', async () => {
    const queue = await api(world.pod.url, world.token.accountant, 'GET', '/api/v1/differences');
    expect(queue.status).toBe(200);
    const numbers = queue.body.records.map((r: { number: string }) => r.number).sort();
    expect(numbers).toEqual(
      [
        'DR-9103',
        'DR-9104',
        'DR-9108',
        'DR-9110',
        'DR-9112',
        ...(kind === 'qbo' ? ['DR-9109', 'DR-9111'] : []),
      ].sort(),
    );
    // A technician reads a record's differences on its pod, but not the accountants' queue.
    expect((await api(world.pod.url, world.token.viewer, 'GET', '/api/v1/differences')).status).toBe(403);

    const company = await api(
      world.pod.url,
      world.token.accountant,
      'GET',
      '/api/v1/companies/250/differences',
    );
    expect(company.status).toBe(200);
    expect(company.body.records.map((r: { number: string }) => r.number).sort()).toEqual(numbers);
    const [usd] = company.body.balances;
    expect(usd).toMatchObject({ currency: 'USD' });
    // Both sides summed over the checked records; the gap is what the listed records explain.
    const gap = company.body.records.reduce(
      (sum: number, r: { cwBalance: string; ledgerBalance: string | null }) =>
        sum + Number(r.ledgerBalance ?? 0) - Number(r.cwBalance),
      0,
    );
    expect(Number(usd.difference)).toBeCloseTo(gap, 2);
    expect(Number(usd.difference)).not.toBe(0);
  });

  it('the rolling pass checks synced records never checked, as guarded background jobs', async () => {
    await synced('invoice', 9113, 'DR-9113');
    const row = () =>
      world.pod.database.db
        .selectFrom('record_drift as d')
        .innerJoin('records as r', 'r.id', 'd.record_id')
        .select(['d.difference_count'])
        .where('r.number', '=', 'DR-9113')
        .executeTakeFirst();
    expect(await row()).toBeUndefined();
    const deadline = Date.now() + 45_000;
    while (!(await row())) {
      if (Date.now() > deadline) throw new Error('the rolling pass never checked DR-9113');
      // Each tick takes the records checked longest ago (never first), a few at a time.
      await sendRollingChecks(world.workerDeps());
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(await row()).toEqual({ difference_count: 0 });
  });
});
