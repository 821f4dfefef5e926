import type { GlTransaction } from '../connectwise/schemas.js';
import type { UnmappedKey } from '../db/schema.js';
import type { DocumentLine, Party, SalesOrBillDocument } from '../ledgers/ledger.js';
import { absMinor, formatMinor, sumMinor, toMinor } from '../money.js';
import { type Mappings, roundingAccountKey } from './mappings.js';

/** A reason a CW transaction cannot become a ledger document; codes are in the error catalogue. */
export interface MappingProblem {
  code:
    | 'gl_entries_missing'
    | 'gl_account_unmapped'
    | 'tax_code_missing'
    | 'tax_code_unmapped'
    | 'out_of_balance'
    | 'currency_missing';
  detail: string;
  /** For the *_unmapped codes: what to map. */
  unmapped?: Omit<UnmappedKey, 'connectionId'>;
}

export type MappingResult =
  | { ok: true; document: SalesOrBillDocument }
  | { ok: false; problems: MappingProblem[] };

const taxLineTypes = new Set(['ST']);

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
  },
): MappingResult {
  const problems: MappingProblem[] = [];
  const decimals = transaction.currency?.numberOfDecimals ?? 2;
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
  for (const entry of detail) {
    const amountMinor = flip * toMinor(entry.total ?? 0, decimals);
    if (taxLineTypes.has(entry.glTypeId ?? '')) {
      taxMinor += amountMinor;
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
    const cwTax = entry.taxCodeXref ?? docTax;
    let taxKey: string | undefined;
    if (cwTax === '') {
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
    });
  }

  // Signed like the lines: a normal invoice or credit memo is positive.
  const totalMinor = -flip * toMinor(transaction.total ?? 0, decimals);
  const roundingLimitMinor = toMinor(options.roundingLimit, decimals);
  const difference = totalMinor - (sumMinor(lines.map((l) => l.amountMinor)) + taxMinor);
  if (difference !== 0n) {
    if (absMinor(difference) > roundingLimitMinor) {
      problems.push({
        code: 'out_of_balance',
        detail: `lines and tax differ from the CW total by ${formatMinor(difference, decimals)} ${currency ?? ''}, above the rounding limit of ${formatMinor(roundingLimitMinor, decimals)}`,
      });
    } else {
      const accountKey = options.mappings.get('gl_account', roundingAccountKey) ?? lines[0]?.accountKey ?? '';
      lines.push({
        description: 'Rounding adjustment',
        quantity: difference < 0n ? '-1' : '1',
        unitPrice: formatMinor(absMinor(difference), decimals),
        amountMinor: difference,
        accountKey,
        itemKey: options.mappings.get('item', roundingAccountKey),
        taxKey: lines[0]?.taxKey,
        classKey: undefined,
      });
    }
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
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
      totalMinor,
      // CW billing terms, as the ledger names them when mapped; unmapped, the due date alone says it.
      terms: termsKey(transaction, options.mappings),
    },
  };
}
