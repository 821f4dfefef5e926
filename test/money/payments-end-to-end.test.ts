import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMinor } from '../../server/shared/money.js';
import { api } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';
import {
  type PaymentCase,
  type PaymentStep,
  paymentCaseArb,
  paymentFailure,
  runPayments,
} from './payment-cases.js';

/**
 * The payments property end to end, a few cases per ledger: each invoice pushed through the product
 * to the ledger's simulator, paid there (in one sweep or several, as the case says), the payments
 * sync run, and ConnectWise's simulator holding exactly the payments the pure suite's model says
 * (test/money/payment-cases.ts), its balance too. Seeded random cases (PAYMENT_E2E_CASES per kind)
 * plus the counterexamples that shaped the conversion. Not modelled here: a CW already paid outside
 * the ledger (the pure suite's "overpaid").
 */
const randomPerKind = Number(process.env.PAYMENT_E2E_CASES ?? 5);
const seed = Number(process.env.PAYMENT_SEED ?? 1306);

const base = {
  paidPpm: 500_000,
  halfUnits: false,
  sweepBreaks: [false, false, false, false, false, false, false, false],
  paidInCwPpm: 1,
};

const fixed: Record<'qbo' | 'xero', { why: string; c: PaymentCase }[]> = {
  qbo: [
    {
      why: 'CW 4,546,628.64 ISK (CW at 2 dp) booked 4,546,629, two payments in one sweep: the second is capped at CW balance',
      c: {
        ...base,
        currency: 'ISK',
        cwDecimals: 2,
        cwTotalMinor: 454_662_864n,
        shape: 'split_full',
        weights: [1, 3],
      },
    },
    {
      why: 'CW 4,546,628.40 ISK booked 4,546,628 and paid in full: topped up to CW balance',
      c: { ...base, currency: 'ISK', cwDecimals: 2, cwTotalMinor: 454_662_840n, shape: 'full', weights: [1] },
    },
  ],
  xero: [
    {
      why: 'two payments of 0.50 ISK on 1 ISK (CW at 0 dp): 1, then nothing left to write',
      c: { ...base, currency: 'ISK', cwDecimals: 0, cwTotalMinor: 1n, shape: 'split_full', weights: [1, 1] },
    },
    {
      why: '0.02, 0.49, 0.49 ISK on 1 ISK (CW at 0 dp), in separate sweeps: the last settles the books and CW',
      c: {
        ...base,
        currency: 'ISK',
        cwDecimals: 0,
        cwTotalMinor: 1n,
        shape: 'split_full',
        weights: [2, 49, 48],
        sweepBreaks: [false, true, true, false, false, false, false, false],
      },
    },
    {
      why: '0.50, 0.50, 1.50, 0.50 ISK on 3 ISK (CW at 0 dp) in one sweep: only the last may settle CW',
      c: {
        ...base,
        currency: 'ISK',
        cwDecimals: 0,
        cwTotalMinor: 3n,
        shape: 'split_full',
        weights: [1, 1, 2, 1],
        halfUnits: true,
      },
    },
  ],
};

/** Seeded random cases the simulators can take: currencies they hold, no "overpaid", JSON-safe amounts. */
function randomCases(books: 'qbo_us' | 'xero'): PaymentCase[] {
  const arb = paymentCaseArb
    .filter((c) => c.shape !== 'overpaid' && ['ISK', 'CLP', 'KWD', 'USD', 'EUR'].includes(c.currency))
    .map((c) => ({ ...c, cwTotalMinor: (c.cwTotalMinor % 1_000_000_000_000n) + 1n }))
    .filter((c) => {
      const run = runPayments(c, books);
      return run.booked && run.payments.length > 0;
    });
  return fc.sample(arb, { seed, numRuns: randomPerKind });
}

describe.each(['qbo', 'xero'] as const)('payments back through %s, end to end', (kind) => {
  const books = kind === 'qbo' ? ('qbo_us' as const) : ('xero' as const);
  const cases = [
    ...fixed[kind],
    ...randomCases(books).map((c, i) => ({ why: `seeded case ${i + 1}: ${JSON.stringify(c, big)}`, c })),
  ].map((entry, i) => ({ ...entry, cwId: 9400 + i }));
  let world: PipelineWorld;
  const ledgerIds = new Map<number, string>();

  beforeAll(async () => {
    world = await startPipelineWorld(kind);
    await world.seedInvoices(
      cases.map(({ c, cwId }) =>
        invoice(cwId, `PAY-${cwId}`, {
          currency: { currencyCode: c.currency, numberOfDecimals: c.cwDecimals },
          lines: [
            {
              description: 'Managed services',
              quantity: 1,
              unitPrice: Number(formatMinor(c.cwTotalMinor, c.cwDecimals)),
              accountNumber: '4000',
            },
          ],
          taxRate: 0,
        }),
      ),
    );
    for (const { cwId } of cases)
      await api(world.pod.url, world.token.accountant, 'POST', `/api/v1/records/invoice/${cwId}/sync`);
    for (const { cwId } of cases)
      ledgerIds.set(cwId, (await world.waitForState(cwId, ['synced'], 120_000)).ledger!.id);
  });
  afterAll(() => world?.close());

  it.each(cases)(
    '$why',
    async ({ c, cwId }) => {
      expect(paymentFailure(c, books)).toBeUndefined();
      const run = runPayments(c, books);
      if (!run.booked) throw new Error('the case must be one the books take');
      const text = (minor: bigint) => formatMinor(minor, run.ledgerDecimals);
      const sweeps = [...new Set(run.steps.map((s) => s.sweep))];
      let handled = 0;
      for (const sweep of sweeps) {
        const steps = run.steps.filter((s) => s.sweep === sweep);
        for (const step of steps)
          await world.ledgerSim.recordPayment(ledgerIds.get(cwId)!, text(step.ledgerMinor));
        const res = await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/payments/sync', {});
        expect(res.status).toBe(202);
        handled += steps.length;
        await world.waitFor(
          cwId,
          (view) => view.payments.filter((p: { state: string }) => p.state === 'written').length >= handled,
          `${handled} payments written`,
          90_000,
        );
      }
      const cw = await world.cwState();
      const taken = (s: PaymentStep) => s.cw === 'taken';
      expect(cw.payments.filter((p) => p.invoice.id === cwId).map((p) => p.amount)).toEqual(
        run.steps.filter(taken).map((s) => Number(formatMinor(s.amountMinor, c.cwDecimals))),
      );
      expect(cw.invoices.find((i) => i.id === cwId)!.balance).toBe(
        Number(formatMinor(run.cwBalanceMinor, c.cwDecimals)),
      );
    },
    300_000,
  );
});

const big = (_key: string, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value);
