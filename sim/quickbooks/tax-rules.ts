import { toMinor } from '../../server/shared/money.js';
import { percentOf } from './amounts.js';

/**
 * How a QBO company computes the tax of an invoice or credit memo, by company kind. Pure: the
 * simulator's transaction rules and the property suite (test/money/tax-properties.test.ts) both run it.
 *
 * Sources, per rule:
 * - domain.md §8 (from Intuit's docs on US automated sales tax and the global tax model): US lines
 *   take TaxCodeRef TAX / NON, the code sits in TxnTaxDetail.TxnTaxCodeRef and an explicit TotalTax
 *   overrides; non-US companies need a TaxCodeRef on every line, recompute tax from the line codes,
 *   ignore a bare TotalTax and take an override only as TxnTaxDetail.TaxLine per rate.
 * - Finance.xsd, TaxLineDetail.TaxRateRef: outside the US the rate of a TaxLine "must be referenced by
 *   a TaxCode used on a transaction line. Any given rate may only be listed once."
 * - The refusal of a line without a code: 6000 "Make sure all your transactions have a VAT rate before
 *   you save." (UK, intuit/quickbooks-online-mcp-server#94), "... a GST/HST rate ..." (Canada,
 *   activepieces/activepieces#8539).
 */

export type CompanyTaxKind = 'us' | 'global' | 'no_tax';

/** What QBO keeps in Preferences.TaxPrefs and CompanyInfo that decides the kind. */
export interface CompanySettings {
  CompanyName: string;
  Country: string;
  UsingSalesTax: boolean;
  PartnerTaxEnabled: boolean;
}

export const companyTaxKind = (c: CompanySettings): CompanyTaxKind =>
  !c.UsingSalesTax ? 'no_tax' : c.Country === 'US' ? 'us' : 'global';

/**
 * Unknown real behaviours, one switch each so tests can run the product under every plausible one.
 * - `globalRounding`: whether a non-US company rounds tax once per rate on the rate's base (default)
 *   or per line and then sums. Intuit does not say; both are seen in accounting packages.
 * - `usWithoutOverride`: a US company sent no TotalTax: tax from TxnTaxCodeRef's rates on the TAX
 *   lines (default), or none (automated sales tax computing from an address the simulator lacks).
 */
export interface TaxSwitches {
  globalRounding: 'per_rate' | 'per_line';
  usWithoutOverride: 'code_rate' | 'none';
}
export const defaultTaxSwitches: TaxSwitches = { globalRounding: 'per_rate', usWithoutOverride: 'code_rate' };

export interface TaxRateInfo {
  id: string;
  /** RateValue, percent. */
  percent: number | string;
}

/** The company's tax codes: the sales rates of a code id; undefined for an unknown code. */
export type RatesOfCode = (codeId: string) => TaxRateInfo[] | undefined;

export interface TaxLineInput {
  amountMinor: bigint;
  taxCode: string | undefined;
}

export interface TaxResult {
  taxMinor: bigint;
  /** Per rate, as QBO answers them in TxnTaxDetail.TaxLine (non-US). */
  rates: { id: string; percent: string; netMinor: bigint; taxMinor: bigint }[];
}

export type TaxOutcome = { ok: true; result: TaxResult } | { ok: false; detail: string; element: string };

type Wire = Record<string, unknown>;
const refValue = (ref: unknown) => (ref as { value?: string } | undefined)?.value;

const taxWord = (country: string) =>
  ({ GB: 'VAT', IE: 'VAT', FR: 'VAT', CA: 'GST/HST', AU: 'GST', NZ: 'GST', IN: 'GST' })[country] ?? 'tax';

export function computeTax(input: {
  kind: CompanyTaxKind;
  country: string;
  lines: TaxLineInput[];
  txnTaxDetail: Wire | undefined;
  globalTaxCalculation: unknown;
  decimals: number;
  ratesOf: RatesOfCode;
  switches?: TaxSwitches;
}): TaxOutcome {
  const switches = input.switches ?? defaultTaxSwitches;
  const detail = input.txnTaxDetail ?? {};
  if (input.kind === 'no_tax') return { ok: true, result: { taxMinor: 0n, rates: [] } };
  if (input.kind === 'us') {
    // An explicit TotalTax overrides the computed tax.
    if (detail.TotalTax !== undefined && detail.TotalTax !== null)
      return {
        ok: true,
        result: { taxMinor: toMinor(detail.TotalTax as number, input.decimals), rates: [] },
      };
    if (switches.usWithoutOverride === 'none') return { ok: true, result: { taxMinor: 0n, rates: [] } };
    // Lines say TAX or NON; a real code id on a line is taken as taxed (the simulator's guess).
    const base = input.lines
      .filter((l) => l.taxCode !== undefined && l.taxCode !== 'NON')
      .reduce((s, l) => s + l.amountMinor, 0n);
    // Without TxnTaxCodeRef, a real code on a line stands in (the simulator's guess).
    const code =
      refValue(detail.TxnTaxCodeRef) ??
      input.lines.map((l) => l.taxCode).find((c) => c !== undefined && c !== 'TAX' && c !== 'NON');
    const rates = code ? (input.ratesOf(code) ?? []) : [];
    const taxMinor = rates.reduce((s, r) => s + percentOf(base, r.percent, input.decimals), 0n);
    return { ok: true, result: { taxMinor, rates: [] } };
  }

  // Non-US (global tax model).
  if (input.globalTaxCalculation === 'NotApplicable')
    return { ok: true, result: { taxMinor: 0n, rates: [] } };
  if (input.globalTaxCalculation === 'TaxInclusive')
    // Not modelled: the product always sends TaxExcluded. Refused loudly rather than computed wrong.
    return {
      ok: false,
      detail: 'The simulator does not model TaxInclusive',
      element: 'GlobalTaxCalculation',
    };
  const byRate = new Map<string, { percent: string; netMinor: bigint; perLine: bigint }>();
  for (const line of input.lines) {
    if (line.taxCode === undefined)
      return {
        ok: false,
        detail: `Business Validation Error: Make sure all your transactions have a ${taxWord(input.country)} rate before you save.`,
        element: '',
      };
    const rates = input.ratesOf(line.taxCode);
    if (!rates)
      return {
        ok: false,
        detail: `Invalid Reference Id : TaxCodeRef : ${line.taxCode}`,
        element: 'TaxCodeRef',
      };
    for (const rate of rates) {
      const entry = byRate.get(rate.id) ?? { percent: String(rate.percent), netMinor: 0n, perLine: 0n };
      entry.netMinor += line.amountMinor;
      entry.perLine += percentOf(line.amountMinor, rate.percent, input.decimals);
      byRate.set(rate.id, entry);
    }
  }
  const overrides = new Map<string, bigint>();
  const taxLines = Array.isArray(detail.TaxLine) ? (detail.TaxLine as Wire[]) : [];
  for (const taxLine of taxLines) {
    const rateId = refValue((taxLine.TaxLineDetail as Wire | undefined)?.TaxRateRef);
    if (rateId === undefined)
      return {
        ok: false,
        detail: 'Required parameter TaxRateRef is missing in the request',
        element: 'TaxLine',
      };
    if (!byRate.has(rateId))
      return {
        ok: false,
        detail: `Tax rate ${rateId} is not used by a tax code on any line of the transaction`,
        element: 'TxnTaxDetail.TaxLine',
      };
    if (overrides.has(rateId))
      return {
        ok: false,
        detail: `Tax rate ${rateId} is listed more than once`,
        element: 'TxnTaxDetail.TaxLine',
      };
    overrides.set(rateId, toMinor((taxLine.Amount ?? 0) as number, input.decimals));
  }
  // A bare TotalTax is ignored: the sum of the rates is the tax.
  const rates = [...byRate].map(([id, r]) => ({
    id,
    percent: r.percent,
    netMinor: r.netMinor,
    taxMinor:
      overrides.get(id) ??
      (switches.globalRounding === 'per_line' ? r.perLine : percentOf(r.netMinor, r.percent, input.decimals)),
  }));
  return { ok: true, result: { taxMinor: rates.reduce((s, r) => s + r.taxMinor, 0n), rates } };
}
