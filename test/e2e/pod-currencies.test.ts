import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerKind } from '../../server/ledgers/ledger.js';
import { screenshot } from '../support/browser.js';
import { api } from '../support/cw-tenant.js';
import { invoice } from '../support/pipeline-world.js';
import { eventually, podFrame, type RealPod, startRealPod, stateOf } from './helpers/real-pod.js';

/**
 * Issue 13 acceptance in the browser: ISK and CLP (0 decimals) and KWD (3) invoices pushed to each
 * ledger and paid there in part, then the rest, as the invoice pod shows them (the real bundle in
 * real Chromium on the simulated CW screen) and as ConnectWise's simulator holds the payments. The
 * pod shows the digits the server sends, so a 0-dp amount read at 2 dp (or a 3-dp one at 2) shows
 * here. The API-level figures, and the full payment at once, are test/money/currencies-end-to-end.
 */
interface Case {
  cwId: number;
  currency: string;
  numberOfDecimals: number;
  unitPrice: number;
  /** Decimal text at the currency's decimals, as the ledger simulator takes it. */
  part: string;
  rest: string;
  /** What the pod shows (Chromium's default en-US locale; Intl puts a no-break space after the code). */
  shown: { total: string; part: string; rest: string; afterPart: string; zero: string };
}

const nb = '\u00a0';
const cases: Case[] = [
  {
    cwId: 9501,
    currency: 'ISK',
    numberOfDecimals: 0,
    unitPrice: 124_000,
    part: '24800',
    rest: '111600',
    shown: {
      total: `ISK${nb}136,400`,
      part: `ISK${nb}24,800`,
      rest: `ISK${nb}111,600`,
      afterPart: `ISK${nb}111,600`,
      zero: `ISK${nb}0`,
    },
  },
  {
    cwId: 9502,
    currency: 'CLP',
    numberOfDecimals: 0,
    unitPrice: 250_000,
    part: '100000',
    rest: '175000',
    shown: {
      total: `CLP${nb}275,000`,
      part: `CLP${nb}100,000`,
      rest: `CLP${nb}175,000`,
      afterPart: `CLP${nb}175,000`,
      zero: `CLP${nb}0`,
    },
  },
  {
    cwId: 9503,
    currency: 'KWD',
    numberOfDecimals: 3,
    // Amounts Xero can hold too (it keeps 2 dp in every currency; domain.md §8).
    unitPrice: 1250,
    part: '375.250',
    rest: '999.750',
    shown: {
      total: `KWD${nb}1,375.000`,
      part: `KWD${nb}375.250`,
      rest: `KWD${nb}999.750`,
      afterPart: `KWD${nb}999.750`,
      zero: `KWD${nb}0.000`,
    },
  },
];

const books = { qbo: 'QuickBooks', xero: 'Xero' } as const;

describe.each(['qbo', 'xero'] as const)('0- and 3-decimal invoices in the pod, on %s', (kind: LedgerKind) => {
  let pod: RealPod;
  const ledgerIds = new Map<number, string>();

  const syncPayments = async () =>
    expect(
      (await api(pod.world.pod.url, pod.world.token.accountant, 'POST', '/api/v1/payments/sync', {})).status,
    ).toBe(202);
  const written = (view: { payments: { state: string }[] }) =>
    view.payments.filter((p) => p.state === 'written').length;
  const cwPayments = async (cwId: number) =>
    (await pod.world.cwState()).payments.filter((p) => p.invoice.id === cwId).map((p) => p.amount);

  // One world per ledger, all three invoices in it, each paid in part before the pod is opened.
  beforeAll(async () => {
    pod = await startRealPod({ kind });
    const { world } = pod;
    await world.seedInvoices(
      cases.map((c) =>
        invoice(c.cwId, `${c.currency}-${c.cwId}`, {
          currency: { currencyCode: c.currency, numberOfDecimals: c.numberOfDecimals },
          lines: [
            { description: 'Managed services', quantity: 1, unitPrice: c.unitPrice, accountNumber: '4000' },
          ],
          taxRate: 10,
        }),
      ),
    );
    for (const c of cases) await world.pushRecord('invoice', c.cwId);
    for (const c of cases) ledgerIds.set(c.cwId, (await world.waitForState(c.cwId, ['synced'])).ledger!.id);
    for (const c of cases) await world.ledgerSim.recordPayment(ledgerIds.get(c.cwId)!, c.part);
    await syncPayments();
    // CW's balance read back too, so the pod's two columns are the settled figures.
    for (const c of cases)
      await world.waitFor(
        c.cwId,
        (v) => v.state === 'partly_paid' && written(v) === 1 && v.record.balance === v.ledger!.balance,
        'partly paid, the payment written and CW read back',
      );
  });

  afterAll(async () => {
    await pod?.close();
  });

  it.each(cases)(
    '$currency paid in part: the total, the payment and the balance at its decimals',
    async (c) => {
      const page = await pod.open(`/invoices/${c.cwId}`, 'viewer');
      const frame = podFrame(page);
      await eventually(() => stateOf(frame)).toBe('partly_paid');
      expect(await frame.locator('.amounts thead').textContent()).toBe(`ConnectWise${books[kind]}`);
      expect(await frame.getByTestId('amount-total').textContent()).toBe(
        `Total${c.shown.total}${c.shown.total}`,
      );
      const rows = frame.getByTestId('payment');
      await eventually(() => rows.count()).toBe(1);
      expect(await rows.first().locator('.num').textContent()).toBe(c.shown.part);
      expect(await rows.first().locator('.payment-state').textContent()).toBe('in ConnectWise');
      const balance = frame.getByTestId('amount-balance');
      expect(await balance.textContent()).toBe(`Balance${c.shown.afterPart}${c.shown.afterPart}`);
      expect(await balance.getAttribute('class')).toBeNull();
      if (kind === 'qbo' && c.currency === 'KWD') await screenshot(page, 'pod-invoice-kwd-part-paid');
      await page.close();
    },
  );

  it.each(cases)('$currency paid the rest: the pod shows paid, CW has both payments', async (c) => {
    await pod.world.ledgerSim.recordPayment(ledgerIds.get(c.cwId)!, c.rest);
    await syncPayments();
    await pod.world.waitFor(
      c.cwId,
      (v) => v.state === 'paid' && written(v) === 2 && v.record.balance === v.ledger!.balance,
      'paid, both payments written and CW read back',
    );
    const page = await pod.open(`/invoices/${c.cwId}`, 'viewer');
    const frame = podFrame(page);
    await eventually(() => stateOf(frame)).toBe('paid');
    const rows = frame.getByTestId('payment');
    await eventually(() => rows.count()).toBe(2);
    expect((await rows.locator('.num').allTextContents()).sort()).toEqual(
      [c.shown.part, c.shown.rest].sort(),
    );
    expect(await frame.getByTestId('amount-total').textContent()).toBe(
      `Total${c.shown.total}${c.shown.total}`,
    );
    expect(await frame.getByTestId('amount-balance').textContent()).toBe(
      `Balance${c.shown.zero}${c.shown.zero}`,
    );
    await page.close();
    expect((await cwPayments(c.cwId)).sort((a, b) => a - b)).toEqual(
      [Number(c.part), Number(c.rest)].sort((a, b) => a - b),
    );
    expect((await pod.world.cwState()).invoices.find((i) => i.id === c.cwId)!.balance).toBe(0);
  });
});
