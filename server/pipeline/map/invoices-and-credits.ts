import type { GlTransaction } from '../../connectwise/schemas.js';
import type { DocumentLine, DocumentTax, Party } from '../../ledgers/ledger.js';
import type { Mappings } from '../../records/mappings.js';
import { absMinor, decimalsUsed, formatMinor, rescaleMinor, sumMinor, toMinor } from '../../shared/money.js';
import { chargedLevels, lineTaxability } from './cw-tax-levels.js';
import type { MappingProblem, MappingResult } from './mapping-result.js';
import { exemptTaxCodeKey, roundingLine, roundingNote } from './rounding.js';

const taxLineTypes = new Set(['ST']);

/** The tax code mapping key of the ledger's exempt / zero code, used on lines CW does not tax. */
export { exemptTaxCodeKey };

/**
 * CW's tax per ledger tax code: each CW code's ST total under the code it maps to, with the taxed
 * lines of that code as its base. Codes mapped to one ledger code are merged.
 */
function taxesOf(
  taxByCode: Map<string, bigint>,
  taxByCodeRate: Map<string, Map<string, bigint>>,
  lines: DocumentLine[],
  mappings: Mappings,
  problems: MappingProblem[],
  levels: number[],
): DocumentTax[] {
  const byKey = new Map<string, DocumentTax>();
  for (const [cwCode, taxMinor] of taxByCode) {
    if (cwCode === '') {
      problems.push({ code: 'tax_code_missing', detail: 'a sales tax line has no tax code in ConnectWise' });
      continue;
    }
    const taxKey = mappings.get('tax_code', cwCode);
    if (!taxKey) {
      if (!problems.some((p) => p.unmapped?.kind === 'tax_code' && p.unmapped.cwKey === cwCode))
        problems.push({
          code: 'tax_code_unmapped',
          detail: `tax code "${cwCode}"`,
          unmapped: { kind: 'tax_code', cwKey: cwCode },
        });
      continue;
    }
    const group = byKey.get(taxKey) ?? { taxKey, cwCodes: [], taxableMinor: 0n, taxMinor: 0n };
    group.cwCodes.push(cwCode);
    group.taxMinor += taxMinor;
    byKey.set(taxKey, group);
  }
  if (levels.length > 1 && byKey.size > 1)
    // Each line takes one ledger code: levels booked under different codes cannot say which
    // line carried which, so per-rate tax would be wrong in the books.
    problems.push({
      code: 'tax_levels_unsupported',
      detail: `ConnectWise charged tax at levels ${levels.join(', ')} under tax codes mapped to different ledger codes (${[...byKey.keys()].join(', ')}); map them to one combined ledger code`,
    });
  for (const group of byKey.values()) {
    // Per level (its rate), where CW charged more than one on the code.
    const byRate = new Map<string, bigint>();
    for (const cwCode of group.cwCodes)
      for (const [percent, minor] of taxByCodeRate.get(cwCode) ?? [])
        byRate.set(percent, (byRate.get(percent) ?? 0n) + minor);
    if (levels.length > 1 && byRate.size > 1)
      group.levels = [...byRate].map(([percent, taxMinor]) => ({ percent, taxMinor }));
  }
  const taxed = lines.filter((l) => l.taxable);
  for (const group of byKey.values()) {
    const own = taxed.filter((l) => l.taxKey === group.taxKey);
    // A tax no line carries the code of (a level over the whole document) was charged on every taxed line.
    group.taxableMinor = sumMinor((own.length > 0 ? own : taxed).map((l) => l.amountMinor));
  }
  return [...byKey.values()];
}

const termsKey = (transaction: GlTransaction, mappings: Mappings) => {
  const xref = (transaction as { billingTermsXref?: string }).billingTermsXref;
  return xref ? mappings.get('terms', xref) : undefined;
};

/** Decimal text of qty * price, when both are exact decimals, for comparing with the line amount. */
function productMinor(quantity: string, unitPrice: string, decimals: number): bigint | undefined {
  const scale = (text: string) => {
    const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
    const value = BigInt(whole + fraction) * (text.startsWith('-') ? -1n : 1n);
    return { value, places: fraction.length };
  };
  const q = scale(quantity);
  const p = scale(unitPrice);
  const places = q.places + p.places;
  if (places < decimals) return q.value * p.value * 10n ** BigInt(decimals - places);
  const divisor = 10n ** BigInt(places - decimals);
  const raw = q.value * p.value;
  return raw % divisor === 0n ? raw / divisor : undefined;
}

const numberText = (value: number) => {
  const text = String(value);
  return /e/i.test(text) ? value.toFixed(10).replace(/\.?0+$/, '') : text;
};

/**
 * Turns a CW GL export transaction (invoice or credit memo) into a ledger document. Pure.
 * CW states revenue and tax lines as credits (negative on an invoice, the mirror on a credit memo);
 * the document carries positive amounts, with discount lines negative.
 */
export function salesDocumentFromGl(
  transaction: GlTransaction,
  options: {
    mappings: Mappings;
    party: Party /** In major units, e.g. "10.00": the same limit in every currency. */;
    roundingLimit: string;
    /**
     * The books need a tax code on lines CW does not tax (QBO outside the US): then the exempt code
     * (tax code mapping `__exempt__`) must be mapped. Elsewhere an unmapped one is left to the ledger.
     */
    exemptCodeRequired?: boolean;
    /**
     * The precision the books keep for this currency (Xero 2 in every currency, QBO the currency's
     * ISO decimals). Amounts finer than it are rounded, with a rounding line; unset, CW's are kept.
     */
    ledgerDecimals?: number;
  },
): MappingResult {
  const problems: MappingProblem[] = [];
  // CW's figures can carry more decimals than its numberOfDecimals (a real ISK invoice: 0 decimals,
  // total 4546628.64; domain.md §8): read them exactly, then book them at what the ledger holds.
  const cwDecimals = decimalsUsed(
    [transaction.total, ...(transaction.detail ?? []).map((d) => d.total)],
    transaction.currency?.numberOfDecimals ?? 2,
  );
  const decimals = Math.min(cwDecimals, options.ledgerDecimals ?? cwDecimals);
  const currency = transaction.currency?.currencyCode;
  if (!currency)
    problems.push({ code: 'currency_missing', detail: `${transaction.documentNumber} has no currency` });
  const detail = transaction.detail ?? [];
  if (!transaction.glEntryIds || detail.length === 0) {
    problems.push({ code: 'gl_entries_missing', detail: `${transaction.documentNumber} has no GL entries` });
  }
  const isCredit = /credit/i.test(transaction.documentType ?? '');
  const flip = isCredit ? 1n : -1n;
  const docTax = transaction.taxCode?.identifier ?? transaction.taxCode?.name ?? '';

  const lines: DocumentLine[] = [];
  let taxMinor = 0n;
  // CW's tax per CW tax code: its ST lines, one per code (and level) it charged.
  const taxByCode = new Map<string, bigint>();
  const taxByCodeRate = new Map<string, Map<string, bigint>>();
  const levels = chargedLevels(transaction, decimals);
  const exemptKey = options.mappings.get('tax_code', exemptTaxCodeKey);
  let exemptReported = false;
  for (const entry of detail) {
    const amountMinor = flip * toMinor(entry.total ?? 0, decimals);
    if (taxLineTypes.has(entry.glTypeId ?? '')) {
      taxMinor += amountMinor;
      const code = entry.taxCodeXref ?? docTax;
      taxByCode.set(code, (taxByCode.get(code) ?? 0n) + amountMinor);
      if (typeof entry.taxRatePercent === 'number') {
        const rates = taxByCodeRate.get(code) ?? new Map<string, bigint>();
        const percent = String(entry.taxRatePercent);
        rates.set(percent, (rates.get(percent) ?? 0n) + amountMinor);
        taxByCodeRate.set(code, rates);
      }
      continue;
    }
    const cwAccount = entry.accountNumber ?? '';
    const accountKey = options.mappings.get('gl_account', cwAccount);
    if (!accountKey)
      problems.push({
        code: 'gl_account_unmapped',
        detail: `GL account "${cwAccount}" (${entry.description ?? 'line'})`,
        unmapped: { kind: 'gl_account', cwKey: cwAccount },
      });
    // CW marks each line taxable or not per tax level (cw-tax-levels.ts); a line without the flags
    // is taken as taxed, as CW's default for a product is.
    const taxability = lineTaxability(entry, levels);
    if (!taxability.ok)
      problems.push({
        code: 'tax_levels_unsupported',
        detail: `line "${entry.description ?? ''}" is taxed at level ${taxability.taxedAt.join(', ')} but not at level ${taxability.untaxedAt.join(', ')}, and a ledger line takes one tax code`,
      });
    const taxable = taxability.ok ? taxability.taxable : false;
    const cwTax = entry.taxCodeXref ?? docTax;
    let taxKey: string | undefined;
    if (!taxable) {
      taxKey = exemptKey;
      if (!taxKey && options.exemptCodeRequired && !exemptReported) {
        exemptReported = true;
        problems.push({
          code: 'tax_code_unmapped',
          detail: `the exempt tax code, for lines ConnectWise does not tax (line "${entry.description ?? ''}")`,
          unmapped: { kind: 'tax_code', cwKey: exemptTaxCodeKey },
        });
      }
    } else if (cwTax === '') {
      problems.push({
        code: 'tax_code_missing',
        detail: `line "${entry.description ?? ''}" has no tax code in ConnectWise`,
      });
    } else {
      taxKey = options.mappings.get('tax_code', cwTax);
      if (!taxKey)
        problems.push({
          code: 'tax_code_unmapped',
          detail: `tax code "${cwTax}"`,
          unmapped: { kind: 'tax_code', cwKey: cwTax },
        });
    }
    const cwQuantity = entry.quantity ?? 1;
    const quantityText = numberText(Math.abs(cwQuantity) * (amountMinor < 0n ? -1 : 1));
    const priceText = numberText(Math.abs(entry.itemPrice ?? 0));
    const exact = productMinor(quantityText, priceText, decimals) === amountMinor;
    const itemIdentifier = (entry as { item?: { identifier?: string } }).item?.identifier;
    lines.push({
      description: entry.description ?? entry.memo ?? '',
      // Where CW's qty x price does not give its line total exactly, book one unit at the total.
      quantity: exact ? quantityText : amountMinor < 0n ? '-1' : '1',
      unitPrice: exact ? priceText : formatMinor(absMinor(amountMinor), decimals),
      amountMinor,
      accountKey: accountKey ?? '',
      itemKey: options.mappings.get('item', itemIdentifier ?? cwAccount),
      taxKey,
      classKey: options.mappings.get('class', cwAccount),
      taxable,
    });
  }
  const taxes = taxesOf(taxByCode, taxByCodeRate, lines, options.mappings, problems, levels);

  // Signed like the lines: a normal invoice or credit memo is positive.
  const totalMinor = -flip * toMinor(transaction.total ?? 0, decimals);
  const roundingLimitMinor = toMinor(options.roundingLimit, decimals);
  const cwTotalMinor = -flip * toMinor(transaction.total ?? 0, cwDecimals);
  const difference = totalMinor - (sumMinor(lines.map((l) => l.amountMinor)) + taxMinor);
  const cwTotal = formatMinor(absMinor(cwTotalMinor), cwDecimals);
  if (difference !== 0n) {
    if (absMinor(difference) > roundingLimitMinor) {
      problems.push({
        code: 'out_of_balance',
        detail: `lines and tax differ from the CW total by ${formatMinor(difference, decimals)} ${currency ?? ''}, above the rounding limit of ${formatMinor(roundingLimitMinor, decimals)}`,
      });
    } else {
      lines.push(
        roundingLine(difference, decimals, {
          mappings: options.mappings,
          cwTotal,
          currency: currency ?? '',
          fallbackAccountKey: lines[0]?.accountKey ?? '',
          fallbackTaxKey: lines[0]?.taxKey,
        }),
      );
    }
  }

  if (problems.length > 0) return { ok: false, problems };
  const rounded = difference !== 0n || rescaleMinor(totalMinor, decimals, cwDecimals) !== cwTotalMinor;
  return {
    ok: true,
    ...(rounded
      ? {
          rounding: roundingNote({
            currency: currency!,
            cwTotalMinor: absMinor(cwTotalMinor),
            cwDecimals,
            bookedMinor: absMinor(totalMinor),
            bookedDecimals: decimals,
            lineMinor: difference,
          }),
        }
      : {}),
    document: {
      type: isCredit ? 'credit_memo' : 'invoice',
      number: transaction.documentNumber,
      date: (transaction.documentDate ?? '').slice(0, 10),
      dueDate: transaction.dueDate?.slice(0, 10),
      currency: currency!,
      decimals,
      memo: undefined,
      party: options.party,
      lines,
      taxMinor,
      taxes,
      totalMinor,
      // CW billing terms, as the ledger names them when mapped; unmapped, the due date alone says it.
      terms: termsKey(transaction, options.mappings),
    },
  };
}
