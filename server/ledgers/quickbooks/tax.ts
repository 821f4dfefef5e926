import { CodedError } from '../../shared/errors.js';
import { minorToNumber } from '../../shared/money.js';
import { isTaxedLine, splitProportionally, type TaxGroup, taxGroupsOf } from '../document-tax.js';
import type { DocumentLine, SalesOrBillDocument } from '../ledger.js';

/**
 * How a QBO company takes tax, from its Preferences and CompanyInfo (domain.md §8):
 * - `us`: US edition (automated sales tax or not): lines say TAX / NON, the code goes in
 *   TxnTaxDetail.TxnTaxCodeRef and an explicit TotalTax overrides what QBO computes;
 * - `global`: every other edition: a TaxCodeRef on every line, tax recomputed from the line codes,
 *   a bare TotalTax ignored; an override only as TxnTaxDetail.TaxLine per rate;
 * - `no_tax`: sales tax is not turned on: no tax codes at all.
 */
export type QboTaxModel = 'us' | 'global' | 'no_tax';

/** One sales rate of a QBO tax code, as TaxCode.SalesTaxRateList and TaxRate state it. */
export interface QboRate {
  id: string;
  /** RateValue: percent as decimal text, e.g. "20" or "7.25". */
  percent: string;
}

export type QboTaxSetup =
  | { model: 'us' }
  | { model: 'no_tax' }
  /** `ratesOf`: the sales rates of a tax code id, read from the company. */
  | { model: 'global'; ratesOf: (taxCodeId: string) => QboRate[] | undefined };

/** A tax the company's setup cannot book; its code is the catalogue entry. */
export class QboTaxError extends CodedError {
  declare readonly code: 'tax_code_missing' | 'ledger_tax_setup';
  constructor(code: 'tax_code_missing' | 'ledger_tax_setup', message: string) {
    super(code, message);
    this.name = 'QboTaxError';
  }
}

type Wire = Record<string, unknown>;
const usPseudoCodes = new Set(['TAX', 'NON']);

/** The TaxCodeRef value of a sales line under the company's model (undefined: none is sent). */
export function lineTaxCode(line: DocumentLine, setup: QboTaxSetup, number: string): string | undefined {
  if (setup.model === 'us') return isTaxedLine(line) ? 'TAX' : 'NON';
  if (setup.model === 'no_tax') return undefined;
  if (!line.taxKey)
    throw new QboTaxError(
      'tax_code_missing',
      `line "${line.description}" of ${number} has no QuickBooks tax code; this QuickBooks company needs one on every line (map the exempt code for lines ConnectWise does not tax, mapping key __exempt__)`,
    );
  return line.taxKey;
}

/**
 * TxnTaxDetail (and, for `global`, GlobalTaxCalculation) of an invoice or credit memo, and of a bill
 * outside the US (its setup's rates then being the codes' purchase rates).
 */
export function salesTaxFields(doc: SalesOrBillDocument, setup: QboTaxSetup): Wire {
  const amount = (minor: bigint) => minorToNumber(minor, doc.decimals);
  if (setup.model === 'no_tax') {
    if (doc.taxMinor !== 0n)
      throw new QboTaxError(
        'ledger_tax_setup',
        `${doc.number} carries ${amount(doc.taxMinor)} ${doc.currency} of tax, but sales tax is off in this QuickBooks company`,
      );
    return {};
  }
  const groups = taxGroupsOf(doc);
  if (setup.model === 'us') {
    const code = [...groups.map((g) => g.taxKey), ...doc.lines.map((l) => l.taxKey)].find(
      (key) => key && !usPseudoCodes.has(key),
    );
    return {
      TxnTaxDetail: {
        ...(code ? { TxnTaxCodeRef: { value: code } } : {}),
        TotalTax: amount(doc.taxMinor),
      },
    };
  }
  // Per rate: "Any given rate may only be listed once" (Finance.xsd, TaxLineDetail.TaxRateRef).
  const byRate = new Map<string, { rate: QboRate; taxMinor: bigint; netMinor: bigint }>();
  for (const group of groups) {
    if (group.taxMinor === 0n) continue;
    const rates = setup.ratesOf(group.taxKey) ?? [];
    if (rates.length === 0)
      throw new QboTaxError(
        'ledger_tax_setup',
        `QuickBooks tax code ${group.taxKey} (mapped from ConnectWise ${group.cwCodes.join(', ') || 'tax'}) has no ${doc.type === 'bill' ? 'purchase' : 'sales'} tax rate, but ConnectWise charged ${amount(group.taxMinor)} ${doc.currency} on it`,
      );
    const shares = ratesShares(rates, group);
    for (const [k, rate] of rates.entries()) {
      const entry = byRate.get(rate.id) ?? { rate, taxMinor: 0n, netMinor: 0n };
      entry.taxMinor += shares[k]!;
      entry.netMinor += group.taxableMinor;
      byRate.set(rate.id, entry);
    }
  }
  return {
    GlobalTaxCalculation: 'TaxExcluded',
    TxnTaxDetail: {
      TotalTax: amount(doc.taxMinor),
      TaxLine: [...byRate.values()].map(({ rate, taxMinor, netMinor }) => ({
        Amount: amount(taxMinor),
        DetailType: 'TaxLineDetail',
        TaxLineDetail: {
          TaxRateRef: { value: rate.id },
          PercentBased: true,
          TaxPercent: Number(rate.percent),
          NetAmountTaxable: amount(netMinor),
        },
      })),
    },
  };
}

const samePercent = (a: string, b: string) => Number(a) === Number(b);

/**
 * CW's tax of one code over the rates of its ledger code. A combined code (e.g. GST + PST) whose rates
 * are CW's levels takes each level's own amount (CW charged each on its own base and rounded it);
 * otherwise CW's amount is split by the rates' sizes.
 */
function ratesShares(rates: QboRate[], group: TaxGroup): bigint[] {
  const levels = group.levels;
  if (levels && levels.length === rates.length) {
    const used = new Set<number>();
    const shares = rates.map((rate) => {
      const k = levels.findIndex((l, i) => !used.has(i) && samePercent(l.percent, rate.percent));
      if (k < 0) return undefined;
      used.add(k);
      return levels[k]!.taxMinor;
    });
    if (shares.every((share) => share !== undefined)) return shares;
  }
  const weights = rates.map((r) => BigInt(Math.round(Number(r.percent) * 10_000)));
  return splitProportionally(weights, group.taxMinor);
}
