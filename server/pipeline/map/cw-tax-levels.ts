import type { GlTransaction } from '../../connectwise/schemas.js';
import { toMinor } from '../../shared/money.js';

/**
 * ConnectWise's multi-level tax (up to five levels per tax code, e.g. Canada's GST at level 1 and PST
 * at level 2), as its GL export states it. Pure. Field names from ManageTypes (connectwise-rest):
 * a detail line's taxableFlag is level 1 and taxable2Flag..taxable5Flag the others, or the same per
 * level in its `taxLevels` [{ taxLevel, taxableFlag }]; the transaction's `taxLevels`
 * [{ taxLevel, taxCodeXref, taxAmount, taxableAmount }] says what each level charged. A real export
 * (test/conformance/connectwise/gl-export-invoices.zynk.xml) has one ST line per level ("Level 1
 * Sales Tax") and every flag on every line.
 *
 * A ledger line takes one tax code. So the books can hold CW's figure when every line is taxed at
 * all the levels that charged tax, or at none of them: then the line is taxed or not, and the levels
 * are the rates of one combined ledger code. A line taxed at some charged levels and not others has
 * no ledger code that says so: refused (tax_levels_unsupported), never booked with a wrong tax.
 */

type Detail = NonNullable<GlTransaction['detail']>[number];

const levelFlags = ['taxableFlag', 'taxable2Flag', 'taxable3Flag', 'taxable4Flag', 'taxable5Flag'] as const;

/** Whether CW taxed the line at `level` (1-5); undefined when CW says nothing for that level. */
export function taxedAtLevel(entry: Detail, level: number): boolean | undefined {
  const stated = entry.taxLevels?.find((l) => l.taxLevel === level)?.taxableFlag;
  if (stated !== undefined) return stated;
  const flag = levelFlags[level - 1];
  return flag ? (entry[flag] ?? undefined) : undefined;
}

/**
 * The levels at which CW charged tax on the transaction: those of its `taxLevels` with a tax amount;
 * without `taxLevels`, level 1 alone (what a single-level tax code is, and what exports before the
 * field said).
 */
export function chargedLevels(transaction: GlTransaction, decimals: number): number[] {
  const levels = (transaction.taxLevels ?? [])
    .filter((l) => typeof l.taxLevel === 'number' && toMinor(l.taxAmount ?? 0, decimals) !== 0n)
    .map((l) => l.taxLevel!);
  return levels.length > 0 ? [...new Set(levels)].sort((a, b) => a - b) : [1];
}

export type LineTaxability =
  | { ok: true; taxable: boolean }
  | { ok: false; taxedAt: number[]; untaxedAt: number[] };

/**
 * A line is taxed when CW taxed it at the charged levels; a line without flags is taken as taxed, as
 * CW's default for a product is. Taxed at some charged levels and not at others: not one ledger code.
 */
export function lineTaxability(entry: Detail, levels: number[]): LineTaxability {
  const taxedAt: number[] = [];
  const untaxedAt: number[] = [];
  for (const level of levels) {
    const taxed = taxedAtLevel(entry, level) ?? (level === 1 ? true : (taxedAtLevel(entry, 1) ?? true));
    (taxed ? taxedAt : untaxedAt).push(level);
  }
  if (taxedAt.length > 0 && untaxedAt.length > 0) return { ok: false, taxedAt, untaxedAt };
  return { ok: true, taxable: taxedAt.length > 0 };
}
