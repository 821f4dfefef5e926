import { fitsDecimals, rescaleMinor } from '../shared/money.js';

/**
 * What a ledger payment is written to ConnectWise as: the one conversion of a payment's amount, pure.
 *
 * The ledger states the payment at its own precision (QBO the currency's ISO decimals, Xero 2 in
 * every currency); ConnectWise takes it at the record's decimals (its numberOfDecimals, or more
 * where its own figures carry more, as the real ISK invoice 4546628.64 does). Widening is exact;
 * narrowing (Xero's 50.50 ISK to a CW that keeps ISK at 0) rounds half away from zero, and the record
 * says so. Rounding must neither overpay CW (it refuses a payment above its balance) nor leave CW
 * open when the ledger is paid, so a payment within rounding of CW's balance is written as that
 * balance: above it ("capped") always; below it ("topped up") when the ledger's document is paid
 * in full. How far rounding alone can take a payment from CW's balance:
 *
 * - the books' own rounding of the invoice (its rounding note): QBO holds ISK 4,546,629 for CW's
 *   4,546,628.64, so the payment that settles the books is 0.36 above CW's balance (4,546,628.40
 *   booked as 4,546,628: 0.40 below);
 * - the payments' rounding: each narrowed payment may be up to half a CW unit off the ledger's
 *   figure, so after k of them CW can be up to k/2 units (a whole number: floor) off the ledger.
 *
 * Anything beyond that is no rounding: it is written as it is, and CW's refusal is reported.
 */
export interface PaymentAmountInput {
  /** The ledger's payment, at `ledgerDecimals`. */
  ledgerMinor: bigint;
  ledgerDecimals: number;
  /** ConnectWise's decimals for the invoice (the record's). */
  cwDecimals: number;
  /** What ConnectWise still has to be paid on the invoice, at `cwDecimals`. */
  cwBalanceMinor: bigint;
  /** The books' total less CW's (the rounding note's difference), at `cwDecimals`; 0 when none. */
  bookedDifferenceMinor: bigint;
  /** Payments of this invoice written to ConnectWise before this one. */
  earlierPayments: number;
  /**
   * Whether the ledger's document is paid in full and this is its last payment still to be written
   * (an earlier one topped up would leave nothing of CW's balance for the rest): asked only when the
   * answer matters (`needsLedgerBalance`), as it costs a ledger read.
   */
  ledgerSettled?: boolean;
}

export interface PaymentAmount {
  /** What ConnectWise is given, at `cwDecimals`; 0 when there is nothing to write. */
  amountMinor: bigint;
  /** The ledger's figure had digits ConnectWise's decimals cannot hold. */
  rounded: boolean;
  /** Written as CW's balance, which the ledger's figure exceeded only by rounding. */
  capped: boolean;
  /** Written as CW's balance, which the ledger's figure fell short of only by rounding, the ledger paid. */
  toppedUp: boolean;
  /** The payment falls short of CW's balance by rounding alone: the ledger's balance decides. */
  needsLedgerBalance: boolean;
}

/** Half a CW unit per narrowed payment, this one included: k/2, floored (an amount is whole units). */
const paymentsRounding = (input: PaymentAmountInput): bigint =>
  input.ledgerDecimals > input.cwDecimals ? BigInt(input.earlierPayments + 1) / 2n : 0n;

/** How far above CW's balance a payment may come by rounding alone, in CW units. */
export function allowanceAbove(input: PaymentAmountInput): bigint {
  const booked = input.bookedDifferenceMinor > 0n ? input.bookedDifferenceMinor : 0n;
  return booked + paymentsRounding(input);
}

/** How far below CW's balance the payment that settles the ledger may fall by rounding alone. */
export function allowanceBelow(input: PaymentAmountInput): bigint {
  const booked = input.bookedDifferenceMinor < 0n ? -input.bookedDifferenceMinor : 0n;
  return booked + paymentsRounding(input);
}

export function cwPaymentAmount(input: PaymentAmountInput): PaymentAmount {
  const inCwUnits = rescaleMinor(input.ledgerMinor, input.ledgerDecimals, input.cwDecimals);
  const rounded = !fitsDecimals(input.ledgerMinor, input.ledgerDecimals, input.cwDecimals);
  const balance = input.cwBalanceMinor > 0n ? input.cwBalanceMinor : 0n;
  const off = inCwUnits - input.cwBalanceMinor;
  const plain = {
    amountMinor: inCwUnits,
    rounded,
    capped: false,
    toppedUp: false,
    needsLedgerBalance: false,
  };
  if (off > 0n && off <= allowanceAbove(input)) return { ...plain, amountMinor: balance, capped: true };
  if (off < 0n && -off <= allowanceBelow(input)) {
    if (input.ledgerSettled === undefined) return { ...plain, needsLedgerBalance: true };
    if (input.ledgerSettled) return { ...plain, amountMinor: balance, toppedUp: true };
  }
  return plain;
}
