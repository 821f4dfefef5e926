import fc from 'fast-check';
import { cwPaymentAmount } from '../../server/payments/payment-amount.js';
import { currencyDecimals, formatMinor, rescaleMinor, sumMinor } from '../../server/shared/money.js';
import type { LedgerKind } from './tax-cases.js';

/**
 * The payments-back property suite's world, pure: a CW invoice at CW's decimals, the books' total at
 * the ledger's precision (as the product books it: QBO the currency's ISO decimals, rounded with a
 * rounding note; Xero 2 dp, refusing what it cannot hold), ledger payments that the ledger allows
 * (none above its balance, none of 0), grouped into payment sweeps, and a ConnectWise that refuses
 * a payment of 0 or above its balance (sim/connectwise/routes/invoices.ts). Each payment goes
 * through the product's conversion (server/payments/payment-amount.ts) with what payments-back gives it:
 * CW's balance as it stands, the rounding note's difference, the payments written earlier, and, for
 * the document's last payment in a sweep, the ledger's balance then (all of the sweep's payments
 * are in the ledger by then).
 * Shared by test/money/payment-properties.test.ts and bench/payment-properties.ts.
 */

export const paymentCurrencies = ['ISK', 'CLP', 'JPY', 'USD', 'EUR', 'KWD', 'BHD'] as const;

export type PaymentShape = 'full' | 'partial' | 'split_full' | 'split_partial' | 'overpaid';

export interface PaymentCase {
  currency: (typeof paymentCurrencies)[number];
  /** The record's decimals: CW's numberOfDecimals (its admin may set other than ISO's), or more. */
  cwDecimals: number;
  /** CW's invoice total, at `cwDecimals`. */
  cwTotalMinor: bigint;
  shape: PaymentShape;
  /** The payments' relative sizes (one for full / partial). */
  weights: number[];
  /** For partial shapes: the share of the books' total paid, in millionths. */
  paidPpm: number;
  /** Every payment but the last lands on half a CW unit (where CW keeps fewer decimals): worst rounding. */
  halfUnits: boolean;
  /** Sweep boundaries: payment i starts a new sweep when `sweepBreaks[i]`. */
  sweepBreaks: boolean[];
  /** For `overpaid`: a payment made in CW itself first, in millionths of CW's total. */
  paidInCwPpm: number;
}

export const paymentCaseArb: fc.Arbitrary<PaymentCase> = fc
  .record({
    currency: fc.constantFrom(...paymentCurrencies),
    cwDecimalsChoice: fc.oneof(
      { weight: 3, arbitrary: fc.constant(-1) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 }) },
    ),
    totalUnits: fc.oneof(
      fc.bigInt({ min: 1n, max: 10_000n }),
      fc.bigInt({ min: 1n, max: 10_000_000_000n }),
      // Very large amounts: up to ten thousand billion major units at 3 decimals.
      fc.bigInt({ min: 10n ** 12n, max: 10n ** 16n }),
    ),
    shape: fc.constantFrom<PaymentShape>('full', 'partial', 'split_full', 'split_partial', 'overpaid'),
    weights: fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 2, maxLength: 8 }),
    paidPpm: fc.integer({ min: 1, max: 999_999 }),
    halfUnits: fc.boolean(),
    sweepBreaks: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    paidInCwPpm: fc.integer({ min: 1, max: 999_999 }),
  })
  .map(({ cwDecimalsChoice, totalUnits, shape, weights, ...rest }) => ({
    ...rest,
    cwDecimals: cwDecimalsChoice < 0 ? currencyDecimals(rest.currency) : cwDecimalsChoice,
    cwTotalMinor: totalUnits,
    shape,
    weights: shape === 'full' || shape === 'partial' || shape === 'overpaid' ? weights.slice(0, 1) : weights,
  }));

export type PaymentBooks = LedgerKind;

/** The precision the books keep for the currency (ledgers/amount-precision.ts). */
export const ledgerDecimalsOf = (books: PaymentBooks, currency: string) =>
  books === 'xero' ? 2 : currencyDecimals(currency);

export interface PaymentStep {
  sweep: number;
  ledgerMinor: bigint;
  amountMinor: bigint;
  /** CW's balance when it was written. */
  cwBalanceMinor: bigint;
  rounded: boolean;
  capped: boolean;
  toppedUp: boolean;
  /** What CW made of it: taken, refused (0 or above its balance), or nothing to write (0). */
  cw: 'taken' | 'refused' | 'nothing';
}

export type PaymentRun =
  | { booked: false; reason: string }
  | {
      booked: true;
      ledgerDecimals: number;
      ledgerTotalMinor: bigint;
      /** The rounding note's difference in CW units (books - CW), 0 without one. */
      differenceMinor: bigint;
      paidInCwMinor: bigint;
      payments: bigint[];
      steps: PaymentStep[];
      cwBalanceMinor: bigint;
      ledgerBalanceMinor: bigint;
    };

/** The ledger's payments for a case: each at least one ledger unit, none above the books' total. */
function ledgerPayments(c: PaymentCase, totalMinor: bigint, ledgerDecimals: number): bigint[] {
  const paid =
    c.shape === 'partial' || c.shape === 'split_partial'
      ? (totalMinor * BigInt(c.paidPpm)) / 1_000_000n
      : totalMinor;
  const weightSum = BigInt(c.weights.reduce((a, b) => a + b, 0));
  const unit = 10n ** BigInt(Math.max(0, ledgerDecimals - c.cwDecimals));
  const parts: bigint[] = [];
  let left = paid;
  for (const [i, weight] of c.weights.entries()) {
    if (i === c.weights.length - 1) {
      parts.push(left);
      break;
    }
    let part = (paid * BigInt(weight)) / weightSum;
    // Half a CW unit exactly: rounds up at CW's decimals, the worst case for CW's balance.
    if (c.halfUnits && unit > 1n) part = (part / unit) * unit + unit / 2n;
    if (part > left) part = left;
    parts.push(part);
    left -= part;
  }
  return parts.filter((p) => p > 0n);
}

/** Runs a case's payments through the product's conversion and a CW that refuses as CW does. */
export function runPayments(c: PaymentCase, books: PaymentBooks): PaymentRun {
  const ledgerDecimals = ledgerDecimalsOf(books, c.currency);
  const cwTotal = c.cwTotalMinor;
  const ledgerTotal = rescaleMinor(cwTotal, c.cwDecimals, ledgerDecimals);
  const exact = rescaleMinor(ledgerTotal, ledgerDecimals, c.cwDecimals) === cwTotal;
  // Xero keeps 2 dp and refuses to round a document (test/money/tax-properties.test.ts).
  if (!exact && books === 'xero') return { booked: false, reason: 'cannot be sent exactly' };
  const differenceMinor = exact ? 0n : rescaleMinor(ledgerTotal, ledgerDecimals, c.cwDecimals) - cwTotal;
  const paidInCw = c.shape === 'overpaid' ? (cwTotal * BigInt(c.paidInCwPpm)) / 1_000_000n || 1n : 0n;
  const payments = ledgerPayments(c, ledgerTotal, ledgerDecimals);
  let cwBalance = cwTotal - paidInCw;
  let ledgerBalance = ledgerTotal;
  let sweep = 0;
  let earlier = 0;
  const steps: PaymentStep[] = [];
  let i = 0;
  while (i < payments.length) {
    // One sweep: its payments are all in the ledger before it runs.
    const start = i;
    do i += 1;
    while (i < payments.length && !c.sweepBreaks[i]);
    const batch = payments.slice(start, i);
    ledgerBalance -= sumMinor(batch);
    for (const [b, ledgerMinor] of batch.entries()) {
      const input = {
        ledgerMinor,
        ledgerDecimals,
        cwDecimals: c.cwDecimals,
        cwBalanceMinor: cwBalance,
        bookedDifferenceMinor: differenceMinor,
        earlierPayments: earlier,
      };
      let amount = cwPaymentAmount(input);
      // payments-back asks the ledger only for the document's last payment in the sweep.
      if (amount.needsLedgerBalance)
        amount = cwPaymentAmount({ ...input, ledgerSettled: ledgerBalance === 0n && b === batch.length - 1 });
      const cw = amount.amountMinor === 0n ? 'nothing' : amount.amountMinor > cwBalance ? 'refused' : 'taken';
      steps.push({ sweep, ledgerMinor, cwBalanceMinor: cwBalance, ...amount, cw });
      if (cw === 'taken') cwBalance -= amount.amountMinor;
      if (cw !== 'refused') earlier += 1;
    }
    sweep += 1;
  }
  return {
    booked: true,
    ledgerDecimals,
    ledgerTotalMinor: ledgerTotal,
    differenceMinor,
    paidInCwMinor: paidInCw,
    payments,
    steps,
    cwBalanceMinor: cwBalance,
    ledgerBalanceMinor: ledgerBalance,
  };
}

/** Decimal text without trailing zeros: "24800.00" and "24800" are the same amount. */
const plain = (minor: bigint, decimals: number) => {
  const text = formatMinor(minor, decimals);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
};

/**
 * Why a run breaks the property, or undefined: every payment CW is given equals the ledger's in CW's
 * units (exactly where CW's decimals hold it, within half a unit where they cannot), or is CW's
 * balance when rounding alone took it past (or, the ledger paid, short of) it; CW never refuses a
 * payment the ledger allowed and is never given more than its balance; paid in full in the books,
 * CW's invoice is paid in full; paid in part, CW is open by the books' balance (within rounding).
 */
export function paymentFailure(c: PaymentCase, books: PaymentBooks): string | undefined {
  const run = runPayments(c, books);
  if (!run.booked) return books === 'xero' && c.cwDecimals > 2 ? undefined : `not booked: ${run.reason}`;
  const { ledgerDecimals } = run;
  const finer = Math.max(ledgerDecimals, c.cwDecimals);
  const narrowing = ledgerDecimals > c.cwDecimals;
  const halfUnit = narrowing ? 5n * 10n ** BigInt(ledgerDecimals - c.cwDecimals - 1) : 0n;
  const units = (minor: bigint, from: number) => minor * 10n ** BigInt(finer - from);
  let written = 0n;
  for (const [n, step] of run.steps.entries()) {
    const at = `payment ${n + 1} (${plain(step.ledgerMinor, ledgerDecimals)})`;
    if (step.cw === 'refused' && c.shape !== 'overpaid')
      return `${at}: CW refused ${plain(step.amountMinor, c.cwDecimals)} with balance ${plain(step.cwBalanceMinor, c.cwDecimals)}`;
    if (step.cw === 'taken') written += step.amountMinor;
    if (step.capped || step.toppedUp) {
      if (step.amountMinor !== (step.cwBalanceMinor > 0n ? step.cwBalanceMinor : 0n))
        return `${at}: written as CW's balance but ${step.amountMinor} != ${step.cwBalanceMinor}`;
      continue;
    }
    const gap = units(step.amountMinor, c.cwDecimals) - units(step.ledgerMinor, ledgerDecimals);
    if (!narrowing || !step.rounded) {
      if (plain(step.amountMinor, c.cwDecimals) !== plain(step.ledgerMinor, ledgerDecimals))
        return `${at}: CW given ${plain(step.amountMinor, c.cwDecimals)}`;
    } else if ((gap < 0n ? -gap : gap) > halfUnit) {
      return `${at}: CW given ${plain(step.amountMinor, c.cwDecimals)}, more than half a unit off`;
    }
  }
  const cwOpen = c.cwTotalMinor - run.paidInCwMinor;
  if (written > cwOpen) return `CW given ${written} above its balance ${cwOpen}`;
  // A document the books hold at 0 (CW's 0.1 ISK booked at 0 dp) takes no payment.
  if (c.shape === 'overpaid' || run.steps.length === 0) return undefined;
  if (run.ledgerBalanceMinor === 0n && run.cwBalanceMinor !== 0n)
    return `paid in full in the books, CW still open by ${plain(run.cwBalanceMinor, c.cwDecimals)}`;
  // Paid in part: CW open by the books' balance, off by at most the rounding (k/2 units, the note's).
  const slack =
    BigInt(run.steps.length) * halfUnit +
    units(run.differenceMinor < 0n ? -run.differenceMinor : run.differenceMinor, c.cwDecimals);
  const apart = units(run.cwBalanceMinor, c.cwDecimals) - units(run.ledgerBalanceMinor, ledgerDecimals);
  if ((apart < 0n ? -apart : apart) > slack)
    return `CW open by ${plain(run.cwBalanceMinor, c.cwDecimals)}, books by ${plain(run.ledgerBalanceMinor, ledgerDecimals)}`;
  return undefined;
}

/** What a run is counted under in bench/RESULTS.md: its row, and the columns it adds to. */
export function paymentClassOf(c: PaymentCase, books: PaymentBooks): { row: string; columns: string[] } {
  const run = runPayments(c, books);
  const ledgerDecimals = ledgerDecimalsOf(books, c.currency);
  const row = `${books} | payments ${c.shape} | ${c.cwDecimals === currencyDecimals(c.currency) ? 'ISO' : 'not ISO'}`;
  const columns = ['cases'];
  if (!run.booked) return { row, columns: [...columns, 'refused: sub-unit'] };
  if (run.steps.length > 1) columns.push('several payments');
  if (ledgerDecimals !== c.cwDecimals) columns.push('dp differ');
  if (run.differenceMinor !== 0n) columns.push('books rounded');
  if (run.steps.some((s) => s.rounded)) columns.push('payment rounded');
  if (run.steps.some((s) => s.capped)) columns.push('capped');
  if (run.steps.some((s) => s.toppedUp)) columns.push('topped up');
  if (run.steps.some((s) => s.cw === 'nothing')) columns.push('0 in CW units');
  if (run.steps.some((s) => s.cw === 'refused')) columns.push('refused by CW');
  if (new Set(run.steps.map((s) => s.sweep)).size < run.steps.length) columns.push('same sweep');
  return { row, columns };
}
