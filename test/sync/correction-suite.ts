import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCorrection } from '../../server/correction/correction-store.js';
import { runCorrection } from '../../server/correction/run-correction.js';
import { queues } from '../../server/jobs/queues.js';
import { RecordStore } from '../../server/records/record-store.js';
import { api, post } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * Issue 16 item 2: a synced, paid invoice edited in ConnectWise is corrected in one click: its batch
 * reversed, the same ledger document updated (Xero: its payments taken off first and put back
 * after, as Xero refuses to edit a paid document), its batch made again. Through the three
 * simulators and the real SDKs, under the same faults as a push, and a worker killed mid-way.
 * Each case ends with one document, its payments intact (same amounts, none lost, none doubled,
 * ConnectWise's payment untouched) and one batch.
 */

/** The invoice as first synced: 1658.93 with tax. */
const original = (id: number, number: string) => invoice(id, number, { company: companyOf(id) });
/** As edited in ConnectWise afterwards: one more line, 1875.43 with tax. */
const edited = (id: number, number: string) =>
  invoice(id, number, {
    company: companyOf(id),
    lines: [
      { description: 'Managed services May', quantity: 1, unitPrice: 1200, accountNumber: '4000' },
      { description: 'Onsite labour', quantity: 3.5, unitPrice: 95, accountNumber: '4000' },
      { description: 'Onsite labour (missed)', quantity: 2, unitPrice: 100, accountNumber: '4000' },
    ],
  });
const companyOf = (id: number) => ({ id, identifier: `CO${id}`, name: `Correction Co ${id}` });
const paid = '1658.93';
const correctedTotal = 1875.43;

/** A killed worker: the step is stored, then the job never hears back. */
class DyingAfterNote extends RecordStore {
  constructor(
    db: ConstructorParameters<typeof RecordStore>[0],
    private readonly kind: string,
  ) {
    super(db);
  }
  override async note(...args: Parameters<RecordStore['note']>): Promise<void> {
    await super.note(...args);
    if (args[2] === this.kind) throw new Error(`worker killed after ${this.kind}`);
  }
  override async transitionIf(...args: Parameters<RecordStore['transitionIf']>) {
    const next = await super.transitionIf(...args);
    if (next && args[2].kind === this.kind) throw new Error(`worker killed after ${this.kind}`);
    return next;
  }
}

/** The suite for one ledger: a file per ledger, so the two run side by side (each takes minutes). */
export function correctionSuite(kind: 'xero' | 'qbo'): void {
  describe(`correction of a paid invoice (${kind})`, () => {
    let world: PipelineWorld;
    let nextId = 7100;
    beforeAll(async () => {
      world = await startPipelineWorld(kind, {
        env: { PAYMENTS_CHECK_MINUTES: '0', DRIFT_CHECK_MINUTES: '0' },
      });
    });
    afterAll(() => world.close());
    afterEach(async () => {
      for (const url of [world.cw.url, world.ledgerSim.url])
        await fetch(`${url}/__sim/faults`, { method: 'DELETE' });
    });

    const correction = (cwId: number, method: 'GET' | 'POST', token = world.token.accountant) =>
      api(
        world.pod.url,
        token,
        method,
        `/api/v1/records/invoice/${cwId}/correction`,
        method === 'POST' ? {} : undefined,
      );

    /** Synced, paid in full in the books (with a reference), the payment in ConnectWise; then edited there. */
    async function paidThenEdited(): Promise<{ cwId: number; number: string; ledgerId: string }> {
      const cwId = nextId++;
      const number = `CR-${cwId}`;
      await world.seedInvoices([original(cwId, number)]);
      expect((await world.pushRecord('invoice', cwId)).status).toBe(202);
      const ledgerId = (await world.waitForState(cwId, ['synced'], 45_000)).ledger!.id as string;
      if (kind === 'xero')
        await post(world.ledgerSim.url, `/__sim/tenants/${world.ledgerSim.externalId}/payments`, {
          invoiceId: ledgerId,
          amount: paid,
          date: '2024-05-20',
          reference: `Cheque ${cwId}`,
        });
      else await world.ledgerSim.recordPayment(ledgerId, paid);
      await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/payments/sync', {});
      // Paid, and the payment written to ConnectWise (a row is listed while still pending).
      await world.waitFor(
        cwId,
        (v) => v.state === 'paid' && (v.payments ?? []).some((p: { state: string }) => p.state === 'written'),
        'paid, its payment written to ConnectWise',
        45_000,
      );
      expect(await cwPayments(cwId)).toHaveLength(1);
      // The simulator's seed replaces the invoice whole (its batch stays): a refresh that the reads
      // above queued, running after it, would take the invoice as reversed in CW and the correction
      // would then adopt the old batch. Those refreshes finish first, as a person's edit comes later.
      await refreshesDone(cwId);
      await world.seedInvoices([edited(cwId, number)]);
      return { cwId, number, ledgerId };
    }

    async function refreshesDone(cwId: number) {
      await expect
        .poll(
          async () =>
            (
              await sql<{ n: string }>`select count(*)::text as n from pgboss.job
                where name = ${queues.refreshRecord} and (data->>'cwId')::int = ${cwId}
                  and state in ('created', 'retry', 'active')`.execute(world.pod.database.db)
            ).rows[0]!.n,
          { timeout: 45_000 },
        )
        .toBe('0');
    }
    const cwPayments = async (cwId: number) =>
      (await world.cwState()).payments.filter((p) => p.invoice.id === cwId && !p.creditMemo);

    /** The live payments on the document in the books, and how many were deleted on the way. */
    async function ledgerPayments(ledgerId: string): Promise<{
      live: { amount: number; reference?: string; date?: string; account?: string }[];
      deleted: number;
    }> {
      const state = (await world.ledgerSim.control('GET', '/__sim/state')) as any;
      if (kind === 'xero') {
        const books = Object.values(state.tenants)[0] as Record<string, any[]>;
        const mine = (books.Payments ?? []).filter((p) => p.Invoice?.InvoiceID === ledgerId);
        return {
          live: mine
            .filter((p) => p.Status !== 'DELETED')
            .map((p) => ({
              amount: p.Amount,
              reference: p.Reference,
              date: p.Date,
              account: p.Account?.Code,
            })),
          deleted: mine.filter((p) => p.Status === 'DELETED').length,
        };
      }
      const realm = Object.values(state.realms)[0] as Record<string, any[]>;
      const mine = (realm.Payment ?? []).filter((p) =>
        (p.Line ?? []).some((l: any) => (l.LinkedTxn ?? []).some((t: any) => t.TxnId === ledgerId)),
      );
      return { live: mine.map((p) => ({ amount: p.TotalAmt })), deleted: 0 };
    }

    async function waitDone(cwId: number) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const res = await correction(cwId, 'GET');
        const status = res.body.correction?.status;
        if (status === 'done') return res.body;
        if (status === 'failed' || Date.now() > deadline)
          throw new Error(`correction of ${cwId} did not finish: ${JSON.stringify(res.body)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }

    /** One document at the corrected total, the payment as it was (and CW's untouched), one batch. */
    async function assertCorrected(cwId: number, number: string, ledgerId: string, cwPaymentIds: number[]) {
      const view = await world.waitForState(cwId, ['partly_paid'], 45_000);
      expect(view.error).toBeNull();
      expect(view.ledger).toMatchObject({
        id: ledgerId,
        total: correctedTotal.toFixed(2),
        balance: '216.50',
      });
      const documents = (await world.ledgerDocuments('invoice')).filter((d) => d.number === number);
      expect(documents).toHaveLength(1);
      expect(documents[0]).toMatchObject({ id: ledgerId, total: correctedTotal, balance: 216.5 });
      const payments = await ledgerPayments(ledgerId);
      expect(payments.live.map((p) => p.amount)).toEqual([Number(paid)]);
      if (kind === 'xero') {
        expect(payments.live[0]).toMatchObject({ reference: `Cheque ${cwId}`, account: '090' });
        expect(payments.live[0]!.date).toMatch(/1716163200000/);
        expect(payments.deleted).toBeGreaterThanOrEqual(1);
      }
      expect((await cwPayments(cwId)).map((p) => p.id)).toEqual(cwPaymentIds);
      const cw = await world.cwState();
      expect(cw.batches.filter((b) => b.batchIdentifier === `LP-${number}`)).toHaveLength(1);
      expect(cw.invoices.find((i) => i.id === cwId)!.glBatch).toBeTruthy();
      // Ledgerpod's own row of the payment follows it; nothing is left to write or take out of CW.
      const rows = await world.pod.database.db
        .selectFrom('payments')
        .innerJoin('records', 'records.id', 'payments.record_id')
        .select(['payments.state', 'payments.cw_payment_id', 'payments.ledger_payment_id'])
        .where('records.cw_id', '=', String(cwId))
        .where('records.tenant_id', '=', world.tenant.id)
        .execute();
      expect(rows.map((r) => [r.state, Number(r.cw_payment_id)])).toEqual([['written', cwPaymentIds[0]]]);
    }

    it('previews the change: total and tax before -> after, and what comes off and goes back', async () => {
      const { cwId } = await paidThenEdited();
      const viewer = await correction(cwId, 'GET', world.token.viewer);
      expect(viewer.status).toBe(403);
      const res = await correction(cwId, 'GET');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.preview).toMatchObject({
        before: { total: '1658.93', tax: '126.43', balance: '0.00' },
        after: { total: '1875.43', tax: '142.93' },
        changes: [
          { field: 'total', before: '1658.93', after: '1875.43' },
          { field: 'tax', before: '126.43', after: '142.93' },
          { field: 'subtotal', before: '1532.50', after: '1732.50' },
        ],
        blocked: null,
      });
      expect(res.body.preview.after.lines).toHaveLength(3);
      expect(res.body.preview.unapply).toEqual(
        kind === 'xero'
          ? [
              {
                kind: 'payment',
                id: expect.any(String),
                amount: paid,
                date: '2024-05-20',
                creditNumber: null,
              },
            ]
          : [],
      );
      expect(res.body.correction).toBeNull();
    });

    it('corrects it in one click: one document, payments intact, one batch, every step audited', async () => {
      const { cwId, number, ledgerId } = await paidThenEdited();
      const cwPaymentIds = (await cwPayments(cwId)).map((p) => p.id);
      // A double click (or two accountants at once) starts one correction.
      const [a, b] = await Promise.all([correction(cwId, 'POST'), correction(cwId, 'POST')]);
      expect([a.status, b.status].sort()).toEqual([202, 202]);
      expect(a.body.correction.id).toBe(b.body.correction.id);
      await waitDone(cwId);
      await assertCorrected(cwId, number, ledgerId, cwPaymentIds);
      const view = await world.waitForState(cwId, ['partly_paid']);
      const kinds = view.events.map((e: { kind: string }) => e.kind);
      expect(kinds).toEqual(
        expect.arrayContaining([
          'correction_started',
          'reversed',
          'correction_queued',
          'exported',
          'ledger_document',
          'batched',
          'corrected',
          ...(kind === 'xero' ? ['payment_unapplied', 'correction_updated', 'payment_reapplied'] : []),
        ]),
      );
      // Asked again once done: the same correction is the answer, nothing moves.
      const again = await correction(cwId, 'POST');
      expect(again.status).toBe(200);
      expect(again.body.correction).toMatchObject({ id: a.body.correction.id, status: 'done' });
      expect(again.body.preview.blocked.code).toBe('nothing_to_correct');
    });

    it.runIf(kind === 'xero')(
      'takes a credit note allocation off and puts it back once, beside the payment',
      async () => {
        const cwId = nextId++;
        const number = `CR-${cwId}`;
        const creditId = nextId++;
        await world.seedInvoices([
          original(cwId, number),
          invoice(creditId, `CM-${creditId}`, {
            company: companyOf(cwId),
            type: 'CreditMemo',
            lines: [{ description: 'Service credit', quantity: 1, unitPrice: 100, accountNumber: '4000' }],
          }),
        ]);
        await world.pushRecord('invoice', cwId);
        await world.pushRecord('credit_memo', creditId);
        const ledgerId = (await world.waitForState(cwId, ['synced'], 45_000)).ledger!.id as string;
        const creditNoteId = (await world.waitForRecord('credit_memo', creditId, ['synced'], 45_000)).ledger!
          .id as string;
        // A bookkeeper allocates the credit note in Xero and receives the rest.
        await post(world.ledgerSim.url, `/__sim/tenants/${world.ledgerSim.externalId}/allocate`, {
          creditNoteId,
          invoiceId: ledgerId,
          amount: '108.25',
          date: '2024-05-21',
        });
        await post(world.ledgerSim.url, `/__sim/tenants/${world.ledgerSim.externalId}/payments`, {
          invoiceId: ledgerId,
          amount: '1550.68',
          date: '2024-05-22',
        });
        await world.seedInvoices([edited(cwId, number)]);
        const preview = await correction(cwId, 'GET');
        expect(preview.body.preview.unapply).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ kind: 'payment', amount: '1550.68' }),
            expect.objectContaining({ kind: 'credit', amount: '108.25', creditNumber: `CM-${creditId}` }),
          ]),
        );
        expect((await correction(cwId, 'POST')).status).toBe(202);
        await waitDone(cwId);
        const state = (await world.ledgerSim.control('GET', '/__sim/state')) as any;
        const books = Object.values(state.tenants)[0] as Record<string, any[]>;
        const doc = books.Invoices!.find((i) => i.InvoiceID === ledgerId);
        expect(doc).toMatchObject({
          Total: correctedTotal,
          AmountPaid: 1550.68,
          AmountCredited: 108.25,
          AmountDue: 216.5,
        });
        const note = books.CreditNotes!.find((c) => c.CreditNoteID === creditNoteId);
        expect(note.RemainingCredit).toBe(0);
        expect(note.Allocations.filter((a: any) => !a.IsDeleted).map((a: any) => a.Amount)).toEqual([108.25]);
        expect((await ledgerPayments(ledgerId)).live.map((p) => p.amount)).toEqual([1550.68]);
      },
      120_000,
    );

    it('refuses a correction whose new total is below what was paid, before touching anything', async () => {
      const cwId = nextId++;
      const number = `CR-${cwId}`;
      await world.seedInvoices([original(cwId, number)]);
      await world.pushRecord('invoice', cwId);
      const ledgerId = (await world.waitForState(cwId, ['synced'], 45_000)).ledger!.id as string;
      await world.ledgerSim.recordPayment(ledgerId, paid);
      await world.seedInvoices([
        invoice(cwId, number, {
          company: companyOf(cwId),
          lines: [
            { description: 'Managed services May', quantity: 1, unitPrice: 1000, accountNumber: '4000' },
          ],
        }),
      ]);
      const res = await correction(cwId, 'POST');
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'correction_paid_above_new_total' });
      expect(res.body.error.message).toContain('more than its corrected total of 1082.50');
      expect((await ledgerPayments(ledgerId)).live).toHaveLength(1);
    });

    const ledgerUpdate =
      kind === 'xero'
        ? { method: 'POST', path: '/api.xro/2.0/Invoices/*' }
        : { method: 'POST', path: '/v3/company/*/invoice' };
    const faults: { name: string; target: 'cw' | 'ledger'; method: string; path: string }[] = [
      { name: 'ledger update', target: 'ledger', ...ledgerUpdate },
      { name: 'CW batch delete', target: 'cw', method: 'DELETE', path: '*/finance/accounting/batches/*' },
      { name: 'CW batch create', target: 'cw', method: 'POST', path: '*/finance/accounting/batches' },
      ...(kind === 'xero'
        ? [
            {
              name: 'payment delete',
              target: 'ledger' as const,
              method: 'POST',
              path: '/api.xro/2.0/Payments/*',
            },
            {
              name: 'payment re-create',
              target: 'ledger' as const,
              method: 'PUT',
              path: '/api.xro/2.0/Payments',
            },
          ]
        : []),
    ];
    for (const call of faults) {
      for (const fault of ['timeout', 'http500', 'drop_response_after_write'] as const) {
        it(`${call.name}: ${fault}`, async () => {
          const { cwId, number, ledgerId } = await paidThenEdited();
          const cwPaymentIds = (await cwPayments(cwId)).map((p) => p.id);
          await world.fault(call.target, {
            method: call.method,
            path: call.path,
            kind: fault,
            times: 1,
            delayMs: 5_000,
          });
          expect((await correction(cwId, 'POST')).status).toBe(202);
          await waitDone(cwId);
          await assertCorrected(cwId, number, ledgerId, cwPaymentIds);
          expect(await world.pendingFaults()).toEqual([]);
        });
      }
    }

    const killPoints = [
      'reversed',
      'exported',
      ...(kind === 'xero' ? ['payment_unapplied', 'correction_updated', 'payment_reapplied'] : []),
      'ledger_document',
      'batched',
    ];
    for (const killedAfter of killPoints) {
      it(`a worker killed right after "${killedAfter}" resumes without a duplicate or a lost payment`, async () => {
        const { cwId, number, ledgerId } = await paidThenEdited();
        const cwPaymentIds = (await cwPayments(cwId)).map((p) => p.id);
        const deps = world.workerDeps();
        const record = (await deps.records.get({ tenantId: world.tenant.id, type: 'invoice', cwId }))!;
        const { correction: started } = await startCorrection(deps.db, {
          tenantId: world.tenant.id,
          recordId: record.id,
          actor: 'test',
          preview: {},
        });
        const job = { tenantId: world.tenant.id, cwId, correctionId: started.id, actor: 'test' };
        await expect(
          runCorrection({ ...deps, records: new DyingAfterNote(deps.db, killedAfter) }, job, {
            retryCount: 0,
            retryLimit: 8,
          }),
        ).rejects.toThrow(/worker killed/);
        // The queue hands the job to another worker, which finishes it.
        await runCorrection(deps, job, { retryCount: 1, retryLimit: 8 });
        await waitDone(cwId);
        await assertCorrected(cwId, number, ledgerId, cwPaymentIds);
      });
    }
  });
}
