import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerPayment } from '../../server/ledgers/ledger.js';
import type { UiCreditApplication } from '../../sim/quickbooks/entity-service.js';
import { invoiceDoc, startHarness } from './harness.js';

/*
 * A credit memo applied in the QuickBooks UI, alone or beside money received on the same Receive
 * payment screen. How QBO writes it is not published (sim/quickbooks/entity-service.ts
 * UiCreditApplication; docs/conformance.md, guesses), so the product's reading runs under each
 * plausible form: the drift check's documentState must see the credit as a credit and the money as
 * money, and the payments feed (CDC, the same reading payments-back writes to ConnectWise from) must
 * bring the money only, never the credit as money received.
 */
describe.each(['own-payment', 'with-cash'] as const satisfies readonly UiCreditApplication[])(
  'a credit applied in the QBO UI (uiCreditApplication %s)',
  (uiCreditApplication) => {
    let h: Awaited<ReturnType<typeof startHarness>>;
    beforeAll(async () => {
      h = await startHarness({ uiCreditApplication });
    });
    afterAll(() => h.close());

    /** An invoice (98.24) and a credit memo (48.24) for the same customer, as the product pushes them. */
    async function invoiceAndCredit(n: number) {
      const invoice = await h.ledger.create(invoiceDoc({ number: `INV-${n}` }), '100', `inv-${n}`);
      const credit = await h.ledger.create(
        invoiceDoc({
          type: 'credit_memo',
          number: `CM-${n}`,
          lines: invoiceDoc().lines.slice(0, 1),
          taxMinor: 0n,
        }),
        '100',
        `cm-${n}`,
      );
      return { invoice, credit };
    }
    const applyInUi = (body: { creditMemoId: string; invoiceId: string; amount: number; cash?: number }) =>
      h.control('POST', `/__sim/realms/${h.realmId}/apply-credit`, { ...body, date: '2024-05-20' });
    async function feedSince(since: Date, invoiceId: string) {
      const pages: LedgerPayment[] = [];
      for await (const page of h.ledger.paymentsSince(since)) pages.push(...page);
      return pages.filter((p) => p.documentId === invoiceId).map((p) => [p.state, p.amountMinor]);
    }

    it('the switch is what the simulator says it is', async () => {
      expect(await h.control('POST', '/__sim/behaviour', {})).toEqual({});
      expect(await h.control('POST', '/__sim/behaviour', { uiCreditApplication })).toEqual({
        uiCreditApplication,
      });
    });

    it('a credit alone: a credit of its amount, no money received', async () => {
      const since = new Date(Date.now() - 1000);
      const { invoice, credit } = await invoiceAndCredit(3001);
      await applyInUi({ creditMemoId: credit.id, invoiceId: invoice.id, amount: 20 });
      const state = await h.ledger.documentState('invoice', invoice.id, 'INV-3001');
      expect(state.payments).toEqual([]);
      expect(state.credits).toEqual([
        { creditId: credit.id, creditNumber: 'CM-3001', amountMinor: 2000n, decimals: 2, date: '2024-05-20' },
      ]);
      expect(state.document?.balanceMinor).toBe(9824n - 2000n);
      expect(await feedSince(since, invoice.id)).toEqual([]);
    });

    it('a credit beside money received: the credit as a credit, the money as money, each once', async () => {
      const since = new Date(Date.now() - 1000);
      const { invoice, credit } = await invoiceAndCredit(3002);
      await applyInUi({ creditMemoId: credit.id, invoiceId: invoice.id, amount: 20, cash: 30.5 });
      const payments = (await h.state()).realms[h.realmId].Payment.filter((p: any) =>
        p.Line.some((l: any) => l.LinkedTxn.some((t: any) => t.TxnId === invoice.id)),
      );
      // The two forms really differ: one Payment carrying both, or the credit's own beside the money's.
      expect(payments.map((p: any) => p.TotalAmt)).toEqual(
        uiCreditApplication === 'with-cash' ? [30.5] : [30.5, 0],
      );
      const state = await h.ledger.documentState('invoice', invoice.id, 'INV-3002');
      expect(state.payments.map((p) => p.amountMinor)).toEqual([3050n]);
      expect(state.credits).toEqual([expect.objectContaining({ creditId: credit.id, amountMinor: 2000n })]);
      expect(state.document?.balanceMinor).toBe(9824n - 2000n - 3050n);
      expect(await feedSince(since, invoice.id)).toEqual([['active', 3050n]]);
    });
  },
);
