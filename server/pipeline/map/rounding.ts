import type { RoundingNoteColumn } from '../../db/schema.js';
import type { DocumentLine } from '../../ledgers/ledger.js';
import { type Mappings, roundingAccountKey } from '../../records/mappings.js';
import { absMinor, decimalsUsed, formatMinor, rescaleMinor, sumMinor, toMinor } from '../../shared/money.js';

/**
 * Rounding is never silent (issue 13 items 2 and 4). Where the books cannot hold ConnectWise's
 * figure (QBO keeps ISK at 0 dp; CW's own invoice says 4546628.64), or CW's lines and tax do not add
 * up to its total, the document gets one rounding line, within the tenant's rounding limit, and the
 * record says what was booked against what ConnectWise shows.
 */

/**
 * The tax code mapping key of the ledger's exempt / zero code: a rounding line is not a sale and CW
 * charged no tax on it. The same key the tax mapping uses for CW's untaxed lines.
 */
export const exemptTaxCodeKey = '__exempt__';

/**
 * What the record stores and the pod shows when a document was booked with rounding: CW's exact
 * total (`cw`), the books' (`booked`, at the ledger's precision), `difference` = booked - cw, the
 * rounding `line` booked, and one sentence (`message`) for the pod and the audit trail.
 */
export type RoundingNote = RoundingNoteColumn;

/** "4546628.64" -> "4,546,628.64": an accountant reads grouped digits; no locale, no float. */
export function groupDigits(text: string): string {
  const [whole = '', fraction] = text.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = sign ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/**
 * The rounding line: named so an accountant recognises it, on the mapped rounding account (or the
 * first line's), untaxed (the exempt code where one is mapped; no code otherwise).
 */
export function roundingLine(
  differenceMinor: bigint,
  decimals: number,
  context: {
    mappings: Mappings;
    cwTotal: string;
    currency: string;
    fallbackAccountKey: string;
    /** Where no exempt code is mapped: a code the ledger accepts; the line is still untaxed. */
    fallbackTaxKey?: string | undefined;
  },
): DocumentLine {
  return {
    description: `Rounding (ConnectWise amount ${groupDigits(context.cwTotal)} ${context.currency})`,
    quantity: differenceMinor < 0n ? '-1' : '1',
    unitPrice: formatMinor(absMinor(differenceMinor), decimals),
    amountMinor: differenceMinor,
    accountKey: context.mappings.get('gl_account', roundingAccountKey) ?? context.fallbackAccountKey,
    itemKey: context.mappings.get('item', roundingAccountKey),
    taxKey: context.mappings.get('tax_code', exemptTaxCodeKey) ?? context.fallbackTaxKey,
    classKey: undefined,
    // CW charged no tax on a rounding difference.
    taxable: false,
  };
}

/** The note for a document booked at `bookedMinor` (ledger precision) against CW's exact total. */
export function roundingNote(input: {
  currency: string;
  cwTotalMinor: bigint;
  cwDecimals: number;
  bookedMinor: bigint;
  bookedDecimals: number;
  lineMinor: bigint;
}): RoundingNote {
  const { currency, cwDecimals, bookedDecimals } = input;
  const finer = Math.max(cwDecimals, bookedDecimals);
  const differenceMinor =
    rescaleMinor(input.bookedMinor, bookedDecimals, finer) -
    rescaleMinor(input.cwTotalMinor, cwDecimals, finer);
  const cw = formatMinor(input.cwTotalMinor, cwDecimals);
  const booked = formatMinor(input.bookedMinor, bookedDecimals);
  const difference = formatMinor(differenceMinor, finer);
  const line = formatMinor(input.lineMinor, bookedDecimals);
  const message =
    differenceMinor === 0n
      ? `booked ${groupDigits(booked)} ${currency} as ConnectWise shows, with a rounding line of ${groupDigits(line)}: ConnectWise's lines and tax do not add up to its total`
      : `booked ${groupDigits(booked)} ${currency}; ConnectWise shows ${groupDigits(cw)}: rounding ${groupDigits(formatMinor(absMinor(differenceMinor), finer))}`;
  return { currency, cw, booked, difference, line, message };
}

/**
 * The places a journal is read at and booked at. CW's figures can carry more decimals than its
 * numberOfDecimals (a real ISK invoice says 4546628.64; domain.md §8): they are read exactly, then
 * booked at what the books keep, never below the currency's own decimals (a journal has no rounding
 * line, so Xero, at 2 dp, still refuses a 3-dp amount it cannot hold rather than rounding it).
 */
export function journalDecimals(
  amounts: (number | null | undefined)[],
  numberOfDecimals: number,
  ledgerDecimals: number | undefined,
): { cw: number; booked: number } {
  const cw = decimalsUsed(amounts, numberOfDecimals);
  return { cw, booked: Math.min(cw, Math.max(numberOfDecimals, ledgerDecimals ?? cw)) };
}

/**
 * The note for a journal booked at fewer places than CW's figures, or undefined when its debits are
 * CW's: rounding is never silent (issue 13 item 2), the record says what was booked against what CW shows.
 */
export function journalRounding(
  currency: string,
  /** CW's journal lines, signed (debits positive), as CW states them. */
  cwLines: (number | null | undefined)[],
  decimals: { cw: number; booked: number },
  lines: { amountMinor: bigint }[],
): RoundingNote | undefined {
  const debits = (minors: bigint[]) => sumMinor(minors.filter((m) => m > 0n));
  const cwMinor = debits(cwLines.map((a) => toMinor(a ?? 0, decimals.cw)));
  const bookedMinor = debits(lines.map((l) => l.amountMinor));
  if (rescaleMinor(bookedMinor, decimals.booked, decimals.cw) === cwMinor) return undefined;
  return roundingNote({
    currency,
    cwTotalMinor: cwMinor,
    cwDecimals: decimals.cw,
    bookedMinor,
    bookedDecimals: decimals.booked,
    lineMinor: 0n,
  });
}
