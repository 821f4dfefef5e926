import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidencePageSize } from '../../server/close/period-evidence.js';
import { evidenceColumns } from '../../server/http/evidence-format.js';
import { testApiMember, testClientId } from '../../sim/connectwise/index.js';
import { api, members } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * The close view of a period (GET /api/v1/close, close-view.ts) and its evidence for auditors
 * (GET /api/v1/close/evidence.csv and .html, period-evidence.ts) through the CW and QBO simulators:
 * differences must be at zero and payments written through the period's end before it is ready, each
 * connection's books lock is shown, and the evidence lists every record of the period once, across
 * pages, and never another tenant's.
 */

/** RFC 4180 read back: quoted fields, doubled quotes, CRLF rows; a bare LF outside quotes is an error. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '"') throw new Error(`unquoted field at ${i}: ${JSON.stringify(text.slice(i, i + 20))}`);
    let field = '';
    i += 1;
    for (;;) {
      const quote = text.indexOf('"', i);
      if (quote < 0) throw new Error('unterminated field');
      field += text.slice(i, quote);
      if (text[quote + 1] === '"') {
        field += '"';
        i = quote + 2;
      } else {
        i = quote + 1;
        break;
      }
    }
    row.push(field);
    if (text[i] === ',') i += 1;
    else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else throw new Error(`expected , or CRLF at ${i}: ${JSON.stringify(text.slice(i, i + 20))}`);
  }
  if (row.length) throw new Error('last row has no CRLF');
  return rows;
}

describe('the close view and the evidence of a period', () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    // No schedules: payments and drift move only when the test asks.
    world = await startPipelineWorld('qbo', {
      env: { PAYMENTS_CHECK_MINUTES: '0', DRIFT_CHECK_MINUTES: '0' },
    });
  });
  afterAll(() => world.close());

  const get = (path: string, token = world.token.accountant) => api(world.pod.url, token, 'GET', path);
  const raw = (path: string, token = world.token.accountant) =>
    fetch(`${world.pod.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const march = 'from=2024-03-01&to=2024-03-31';
  const company = { id: 9300, identifier: 'Closing', name: 'Closing Ltd' };
  const ledgerIds = new Map<number, string>();

  it('is ready only with differences at zero and payments written through its end, showing the lock', async () => {
    await world.ledgerSim.control('POST', `/__sim/realms/${world.ledgerSim.externalId}/close-books`, {
      closeDate: '2024-02-29',
    });
    await world.seedInvoices([
      invoice(9301, 'CV-9301', { company, date: '2024-03-05T00:00:00Z' }),
      invoice(9302, 'CV-9302', { company, date: '2024-03-20T00:00:00Z' }),
    ]);
    for (const cwId of [9301, 9302]) {
      expect((await world.pushRecord('invoice', cwId)).status).toBe(202);
      ledgerIds.set(cwId, (await world.waitForRecord('invoice', cwId, ['synced'], 45_000)).ledger!.id);
    }

    // Synced, but the payments were never read from the books: not ready, and the view says why.
    const first = await get(`/api/v1/close?${march}`);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      ready: false,
      records: { total: 2, synced: 2 },
      differences: { count: 0, records: [] },
      checklist: {
        recordsSynced: true,
        paymentsWritten: true,
        paymentsThroughPeriod: false,
        differencesAtZero: true,
        unappliedCredits: 0,
      },
    });
    expect(first.body.connections).toEqual([
      expect.objectContaining({
        id: world.connection.id,
        kind: 'qbo',
        booksPeriod: true,
        paymentsCheckedAt: null,
        paymentsThrough: null,
        lock: { state: 'locked', through: '2024-02-29', what: "QuickBooks Online's closing date" },
      }),
    ]);

    // A bookkeeper takes a payment on CV-9301 in QuickBooks; the drift check finds it missing in CW.
    await world.ledgerSim.recordPayment(ledgerIds.get(9301)!, '50.00');
    const checked = await api(
      world.pod.url,
      world.token.accountant,
      'POST',
      '/api/v1/records/invoice/9301/differences/check',
      {},
    );
    expect(checked.body.differences.map((d: { code: string }) => d.code)).toEqual(['payment_missing_in_cw']);
    const drifted = await get(`/api/v1/close?${march}`);
    expect(drifted.body.differences).toEqual({
      count: 1,
      records: [{ type: 'invoice', cwId: 9301, number: 'CV-9301', codes: ['payment_missing_in_cw'] }],
    });
    expect(drifted.body.checklist.differencesAtZero).toBe(false);

    // The payments check writes it to ConnectWise; checked again, the books and CW agree.
    expect(
      (await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/payments/sync', {})).status,
    ).toBe(202);
    await expect
      .poll(async () => (await get(`/api/v1/close?${march}`)).body.connections[0].paymentsCheckedAt, {
        timeout: 30_000,
      })
      .not.toBeNull();
    await expect
      .poll(async () => (await world.cwState()).payments.filter((p) => p.invoice.id === 9301).length, {
        timeout: 30_000,
      })
      .toBe(1);
    await api(
      world.pod.url,
      world.token.accountant,
      'POST',
      '/api/v1/records/invoice/9301/differences/check',
      {},
    );
    const ready = await get(`/api/v1/close?${march}`);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(ready.body.connections[0].paymentsThrough).toBe(yesterday);
    expect(ready.body).toMatchObject({
      ready: true,
      differences: { count: 0 },
      checklist: { paymentsThroughPeriod: true, differencesAtZero: true },
    });
  });

  it('refuses bad days and a reversed range with a sentence saying what is wrong', async () => {
    const bad = await get('/api/v1/close?from=2024-02-30&to=2024-03-31');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe(
      'Invalid query: from (from must be a real day written YYYY-MM-DD, such as 2024-05-01)',
    );
    const reversed = await get('/api/v1/close/evidence.csv?from=2024-03-31&to=2024-03-01');
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.message).toBe('Invalid query: to (from must be on or before to)');
    expect((await get('/api/v1/close/evidence.html?from=2024-03')).status).toBe(400);
    for (const path of ['/api/v1/close', '/api/v1/close/evidence.csv', '/api/v1/close/evidence.html'])
      expect((await get(`${path}?${march}`, world.token.viewer)).status).toBe(403);
  });

  it('lists every record of the period once, over several pages, with both systems and the trail', async () => {
    const db = world.pod.database.db;
    // More records than a page, several on each day (the keyset must not skip or repeat ties).
    const many = evidencePageSize * 2 + 3;
    const rows = Array.from({ length: many }, (_, i) => ({
      tenant_id: world.tenant.id,
      type: i % 3 === 0 ? ('credit_memo' as const) : ('invoice' as const),
      cw_id: String(20_000 + i),
      number: `EV-${20_000 + i}`,
      record_date: `2024-03-${String((i % 31) + 1).padStart(2, '0')}`,
      company_name: i === 0 ? 'Smith, "Jones" & Co\nLondon' : i === 1 ? '=HYPERLINK("x")' : 'Evidence Ltd',
      state: 'onboarded' as const,
      total_minor: String(1000 + i),
    }));
    for (let i = 0; i < rows.length; i += 400)
      await db
        .insertInto('records')
        .values(rows.slice(i, i + 400))
        .execute();
    // Outside the period, and another tenant's inside it: neither may appear.
    await db
      .insertInto('records')
      .values({
        tenant_id: world.tenant.id,
        type: 'invoice',
        cw_id: '29999',
        number: 'EV-APRIL',
        record_date: '2024-04-01',
      })
      .execute();
    const other = await world.pod.services.tenants.create({
      name: 'Other MSP',
      site: 'other.example.com',
      companyId: 'othermsp',
      publicKey: testApiMember.publicKey,
      privateKey: testApiMember.privateKey,
      clientId: testClientId,
      apiUrl: 'http://127.0.0.1:9',
    });
    await db
      .insertInto('records')
      .values({
        tenant_id: other.id,
        type: 'invoice',
        cw_id: '9301',
        number: 'OTHER-TENANT-SECRET',
        record_date: '2024-03-05',
      })
      .execute();

    const res = await raw(`/api/v1/close/evidence.csv?${march}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename=ledgerpod-evidence-2024-03-01-to-2024-03-31.csv',
    );
    const text = await res.text();
    expect(text).not.toContain('OTHER-TENANT-SECRET');
    const [header, ...lines] = parseCsv(text);
    expect(header).toEqual(evidenceColumns.map((c) => c.title));
    expect(header!.slice(0, 6)).toEqual(['Type', 'CW id', 'Number', 'Date', 'Company', 'State']);
    const keys = lines.map((l) => `${l[0]}:${l[1]}`);
    expect(lines).toHaveLength(many + 2);
    expect(new Set(keys).size).toBe(many + 2);
    expect(keys).not.toContain('invoice:29999');
    // Ordered by day, then type, then CW id.
    const order = lines.map((l) => `${l[3]}|${l[0]}|${l[1]!.padStart(8, '0')}`);
    expect(order).toEqual([...order].sort());

    const column = (line: string[], title: string) => line[header!.indexOf(title)];
    const byNumber = new Map(lines.map((l) => [l[2], l]));
    expect(column(byNumber.get('EV-20000')!, 'Company')).toBe('Smith, "Jones" & Co\nLondon');
    expect(column(byNumber.get('EV-20001')!, 'Company')).toBe(`'=HYPERLINK("x")`);
    expect(column(byNumber.get('EV-20001')!, 'CW total')).toBe('10.01');
    expect(column(byNumber.get('EV-20001')!, 'Audit trail')).toBe('');

    // A pushed record: its ledger document, its batch, both totals, its drift check and its trail.
    const pushed = byNumber.get('CV-9301')!;
    const cwInvoice = (await world.cwState()).invoices.find((i) => i.id === 9301)!;
    const record = (await world.recordOf('invoice', 9301)).body;
    const stored = await db
      .selectFrom('records')
      .select(['cw_batch_id', 'cw_batch_identifier', 'ledger_total_minor'])
      .where('tenant_id', '=', world.tenant.id)
      .where('cw_id', '=', '9301')
      .executeTakeFirstOrThrow();
    expect({
      type: column(pushed, 'Type'),
      date: column(pushed, 'Date'),
      company: column(pushed, 'Company'),
      cwTotal: column(pushed, 'CW total'),
      cwTax: column(pushed, 'CW tax'),
      ledger: column(pushed, 'Ledger'),
      ledgerId: column(pushed, 'Ledger document id'),
      ledgerNumber: column(pushed, 'Ledger document number'),
      ledgerTotal: column(pushed, 'Ledger total'),
      batchId: column(pushed, 'CW batch id'),
      batch: column(pushed, 'CW batch identifier'),
    }).toEqual({
      type: 'invoice',
      date: '2024-03-05',
      company: 'Closing Ltd',
      cwTotal: Number(cwInvoice.total).toFixed(2),
      cwTax: Number(cwInvoice.salesTax).toFixed(2),
      ledger: 'qbo',
      ledgerId: ledgerIds.get(9301),
      ledgerNumber: record.ledger.number,
      ledgerTotal: (Number(stored.ledger_total_minor) / 100).toFixed(2),
      // CW answers a new batch without its id (record-steps.ts commitBatch): the identifier names it.
      batchId: stored.cw_batch_id === null ? '' : String(stored.cw_batch_id),
      batch: 'LP-CV-9301',
    });
    expect((await world.cwState()).batches.filter((b) => b.batchIdentifier === 'LP-CV-9301')).toHaveLength(1);
    expect(Number(column(pushed, 'Ledger balance'))).toBeCloseTo(Number(cwInvoice.total) - 50, 2);
    expect(column(pushed, 'Differences')).toMatch(/^none \(checked \d{4}-\d{2}-\d{2}\)$/);
    // Each event with its minute (UTC), who, what and the state it moved, oldest first.
    const trail = column(pushed, 'Audit trail')!.split('; ');
    expect(trail.every((e) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}Z /.test(e))).toBe(true);
    const events = trail.map((e) => e.slice('2024-03-05 10:00Z '.length));
    const who = members.accountant.identifier;
    expect(events.slice(0, 4)).toEqual([
      `${who} queued unknown→queued`,
      `${who} exported queued→exported`,
      `${who} ledger_document exported→pushed`,
      `${who} batched pushed→synced`,
    ]);
    expect(events).toContain('payments payment_written');
    expect(column(byNumber.get('CV-9302')!, 'Differences')).toBe('not checked');

    // The printable page: the same records, once each, escaped.
    const page = await raw(`/api/v1/close/evidence.html?${march}`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html.match(/<tr data-record=/g)).toHaveLength(many + 2);
    expect(html).toContain(`<p>${many + 2} records.</p>`);
    expect(html).toContain('Smith, &quot;Jones&quot; &amp; Co');
    expect(html).toContain('<td>LP-CV-9301</td>');
    expect(html).not.toContain('OTHER-TENANT-SECRET');
    expect(html).toContain('@media print');
  });
});

describe('the close view of a Xero connection', () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld('xero', {
      env: { PAYMENTS_CHECK_MINUTES: '0', DRIFT_CHECK_MINUTES: '0' },
    });
  });
  afterAll(() => world.close());

  it("shows the later of Xero's two lock dates", async () => {
    const lockDates = (body: Record<string, unknown>) =>
      world.ledgerSim.control('POST', `/__sim/tenants/${world.ledgerSim.externalId}/lock-dates`, body);
    await lockDates({ periodLockDate: '2024-03-31', endOfYearLockDate: '2023-12-31' });
    const locked = await api(
      world.pod.url,
      world.token.accountant,
      'GET',
      '/api/v1/close?from=2024-03-01&to=2024-03-31',
    );
    expect(locked.body.connections).toEqual([
      expect.objectContaining({
        kind: 'xero',
        booksPeriod: false,
        lock: { state: 'locked', through: '2024-03-31', what: "Xero's period lock date" },
      }),
    ]);
    // No record of the period is booked through it: its payments do not hold the close back.
    expect(locked.body).toMatchObject({ ready: true, checklist: { paymentsThroughPeriod: true } });
  });
});
