import type { GlExportExpenseBill, GlExportPurchaseTransaction } from '../../connectwise/schemas.js';
import type {
  DocumentLine,
  DocumentTax,
  JournalDocument,
  Party,
  SalesOrBillDocument,
} from '../../ledgers/ledger.js';
import { type CompanyPaidExpense, companyPaidEntryIds } from '../../records/gl-export-parts.js';
import type { Mappings } from '../../records/mappings.js';
import { absMinor, decimalsUsed, formatMinor, rescaleMinor, sumMinor, toMinor } from '../../shared/money.js';
import type { OtherProblem, OtherResult } from './mapping-result.js';
import {
  exemptTaxCodeKey,
  journalDecimals,
  journalRounding,
  type RoundingNote,
  roundingLine,
  roundingNote,
} from './rounding.js';

/**
 * Pure mappings from CW's GLExport to ledger documents for expenses and procurement purchases.
 *
 * CW's sign convention for these records (see sim/connectwise/gl-export.ts and schemas.ts): a header
 * `total` is the document's amount; detail lines are signed by GL side, debits positive, credits
 * negative. A bill's expense or inventory lines are debits, so they arrive positive and are booked
 * as they come; a refund arrives negative.
 */

/** How a bill is mapped: the same options, with the same meaning, as an invoice's (gl-to-document). */
export interface BillOptions {
  mappings: Mappings;
  number: string;
  /** The tenant's rounding limit in major units; unset, any difference is refused. */
  roundingLimit?: string;
  /**
   * The books need a tax code on every line (QBO outside the US): lines CW did not tax get the exempt
   * one (`__exempt__`), and its absence is a problem. Implies `taxPerCode`.
   */
  exemptCodeRequired?: boolean;
  /**
   * The books take CW's purchase tax per code on the lines that carry it (QBO outside the US, Xero):
   * taxed lines get their mapped code, and CW's purchase tax becomes the bill's tax per code instead
   * of lines on the purchase tax account, so the books' VAT/GST return holds the input tax.
   */
  taxPerCode?: boolean;
  /** The precision the books keep for this currency; amounts finer than it are rounded, and said. */
  ledgerDecimals?: number;
}

/**
 * The decimals a bill is read at (CW's figures can carry more than numberOfDecimals; domain.md §8)
 * and booked at (no finer than the ledger keeps), as for invoices.
 */
function billDecimals(
  amounts: (number | null | undefined)[],
  numberOfDecimals: number | undefined,
  ledgerDecimals: number | undefined,
) {
  const cw = decimalsUsed(amounts, numberOfDecimals ?? 2);
  return { cw, booked: Math.min(cw, ledgerDecimals ?? cw) };
}

/** The GL account mapping key of the freight account; unmapped, freight goes with the first line. */
export const freightAccountKey = '__freight__';

const day = (text: string | undefined) => (text ?? '').slice(0, 10);

function accountOf(
  mappings: Mappings,
  cwAccount: string | undefined,
  what: string,
  problems: OtherProblem[],
): string {
  const key = mappings.get('gl_account', cwAccount ?? '');
  if (!key)
    problems.push({
      code: 'gl_account_unmapped',
      detail: `GL account "${cwAccount ?? ''}" (${what})`,
      unmapped: { kind: 'gl_account', cwKey: cwAccount ?? '' },
    });
  return key ?? '';
}

/**
 * A purchase line's quantity and unit cost as CW states them (`itemCost` is the unit cost, `cost` the
 * extended one), kept when they give the line amount exactly; otherwise the line stays one unit at its
 * amount, so the ledger never recomputes a different total.
 */
function unitsOf(
  entry: { quantity?: number | null; itemCost?: number | null },
  amountMinor: bigint,
  decimals: number,
): Partial<DocumentLine> {
  if (typeof entry.quantity !== 'number' || typeof entry.itemCost !== 'number' || entry.quantity === 0)
    return {};
  // The line's quantity has the sign of its amount: CW's credit lines carry negative quantities.
  const quantity = toMinor(Math.abs(entry.quantity), 4) * (amountMinor < 0n ? -1n : 1n);
  const unitMinor = toMinor(Math.abs(entry.itemCost), decimals);
  if (quantity * unitMinor !== amountMinor * 10_000n) return {};
  return {
    quantity: formatMinor(quantity, 4).replace(/\.?0+$/, ''),
    unitPrice: formatMinor(unitMinor, decimals),
  };
}

/** One unit at the line amount: CW's expense lines have no quantity, and this never recomputes. */
const oneUnit = (description: string, amountMinor: bigint, decimals: number, accountKey: string) =>
  ({
    description,
    quantity: amountMinor < 0n ? '-1' : '1',
    unitPrice: formatMinor(amountMinor < 0n ? -amountMinor : amountMinor, decimals),
    amountMinor,
    accountKey,
    itemKey: undefined,
    taxKey: undefined,
    classKey: undefined,
  }) satisfies DocumentLine;

/**
 * Lines and tax against CW's total. A difference up to the rounding limit becomes a named, untaxed
 * rounding line, the same allowance invoices get (issue 13 item 4); above it, or with no limit given,
 * the bill is refused as out of balance. Returns the note for the record when the bill was rounded
 * (a rounding line, or CW's total held at fewer decimals than CW gave).
 */
function checkTotal(
  number: string,
  lines: DocumentLine[],
  taxMinor: bigint,
  total: { minor: bigint; decimals: number; cwMinor: bigint; cwDecimals: number },
  currency: string,
  problems: OtherProblem[],
  allowance: { roundingLimit: string | undefined; mappings: Mappings },
): RoundingNote | undefined {
  const { decimals } = total;
  const totalMinor = total.minor;
  const sum = sumMinor(lines.map((l) => l.amountMinor)) + taxMinor;
  const difference = totalMinor - sum;
  const limitMinor = allowance.roundingLimit === undefined ? 0n : toMinor(allowance.roundingLimit, decimals);
  const cwTotal = formatMinor(total.cwMinor, total.cwDecimals);
  if (difference !== 0n && absMinor(difference) <= limitMinor && lines.length > 0) {
    lines.push(
      roundingLine(difference, decimals, {
        mappings: allowance.mappings,
        cwTotal,
        currency,
        fallbackAccountKey: lines[0]?.accountKey ?? '',
        fallbackTaxKey: lines[0]?.taxKey,
      }),
    );
  } else if (difference !== 0n)
    problems.push({
      code: 'out_of_balance',
      detail: `${number}: the lines${taxMinor === 0n ? '' : ' and tax'} add up to ${formatMinor(sum, decimals)} but CW states ${formatMinor(totalMinor, decimals)} ${currency}${allowance.roundingLimit === undefined ? '' : `, a difference above the rounding limit of ${formatMinor(limitMinor, decimals)}`}`,
    });
  if (totalMinor === 0n) problems.push({ code: 'zero_total', detail: number });
  else if (totalMinor < 0n)
    problems.push({ code: 'negative_bill', detail: `${number} (${formatMinor(totalMinor, decimals)})` });
  const rounded = difference !== 0n || rescaleMinor(totalMinor, decimals, total.cwDecimals) !== total.cwMinor;
  return rounded
    ? roundingNote({
        currency,
        cwTotalMinor: total.cwMinor,
        cwDecimals: total.cwDecimals,
        bookedMinor: totalMinor,
        bookedDecimals: decimals,
        lineMinor: difference,
      })
    : undefined;
}

/**
 * The exempt code on a line CW did not tax, where the books take tax per code: required where they
 * need a code on every line (QBO outside the US); elsewhere (Xero) the mapped one if any, else none
 * (the Xero mapper then sends its no-tax type, as for invoices).
 */
function exemptKeyOf(options: BillOptions, what: string, problems: OtherProblem[]): string | undefined {
  if (!options.exemptCodeRequired && !options.taxPerCode) return undefined;
  const key = options.mappings.get('tax_code', exemptTaxCodeKey);
  if (
    !key &&
    options.exemptCodeRequired &&
    !problems.some((p) => 'unmapped' in p && p.unmapped?.cwKey === exemptTaxCodeKey)
  )
    problems.push({
      code: 'tax_code_unmapped',
      detail: `the exempt tax code, for lines ConnectWise does not tax (${what})`,
      unmapped: { kind: 'tax_code', cwKey: exemptTaxCodeKey },
    });
  return key;
}

/** A CW tax code mapped to the ledger's, or a problem naming it. */
function taxKeyOf(
  mappings: Mappings,
  cwCode: string,
  what: string,
  problems: OtherProblem[],
): string | undefined {
  if (cwCode === '') {
    problems.push({ code: 'tax_code_missing', detail: `${what} has no tax code in ConnectWise` });
    return undefined;
  }
  const key = mappings.get('tax_code', cwCode);
  if (!key && !problems.some((p) => 'unmapped' in p && p.unmapped?.cwKey === cwCode))
    problems.push({
      code: 'tax_code_unmapped',
      detail: `tax code "${cwCode}"`,
      unmapped: { kind: 'tax_code', cwKey: cwCode },
    });
  return key;
}

/**
 * A reimbursable expense (CW's `expenseBills`): a bill payable to the member, who is the vendor.
 * One line per expense entry, on the entry's expense account.
 */
export function expenseBillFromGl(
  bill: GlExportExpenseBill,
  options: BillOptions,
): OtherResult<SalesOrBillDocument> {
  const problems: OtherProblem[] = [];
  const detail = bill.detail ?? [];
  const { cw: cwDecimals, booked: decimals } = billDecimals(
    [bill.total, ...detail.map((d) => d.total)],
    bill.currency?.numberOfDecimals,
    options.ledgerDecimals,
  );
  const currency = bill.currency?.currencyCode;
  if (!currency) problems.push({ code: 'currency_missing', detail: `${options.number} has no currency` });
  if (detail.length === 0 || detail.every((d) => (d.id ?? []).length === 0))
    problems.push({ code: 'gl_entries_missing', detail: `${options.number} has no GL entries` });
  // CW charges no tax on a member's expense: where the books need a code, each line is exempt.
  const exemptKey = detail.length > 0 ? exemptKeyOf(options, 'a reimbursable expense', problems) : undefined;
  const lines = detail.map((entry) => ({
    ...oneUnit(
      entry.memo ?? '',
      toMinor(entry.total ?? 0, decimals),
      decimals,
      accountOf(options.mappings, entry.accountNumber, entry.memo || 'expense', problems),
    ),
    taxKey: exemptKey,
    taxable: false,
  }));
  const totalMinor = toMinor(bill.total ?? 0, decimals);
  const rounding = checkTotal(
    options.number,
    lines,
    0n,
    { minor: totalMinor, decimals, cwMinor: toMinor(bill.total ?? 0, cwDecimals), cwDecimals },
    currency ?? '',
    problems,
    { roundingLimit: options.roundingLimit, mappings: options.mappings },
  );
  const member = bill.member;
  const party: Party = {
    kind: 'vendor',
    cwId: `member-${member?.id ?? bill.vendorNumber ?? ''}`,
    accountNumber: bill.vendorNumber || member?.identifier || undefined,
    name: member?.name || member?.identifier || bill.vendorNumber || 'ConnectWise member',
    email: undefined,
  };
  if (problems.length > 0) return { ok: false, problems };
  const dates = detail.map((d) => day(d.documentDate)).filter(Boolean);
  return {
    ok: true,
    ...(rounding ? { rounding } : {}),
    document: {
      type: 'bill',
      number: options.number,
      date: day(bill.documentDate) || dates.sort().at(-1) || '',
      dueDate: undefined,
      currency: currency!,
      decimals,
      memo: bill.memo || undefined,
      party,
      lines,
      taxMinor: 0n,
      totalMinor,
      terms: undefined,
    },
  };
}

/**
 * A company-paid expense (card, account; CW puts it in `expenses[]` rather than `expenseBills[]`):
 * nobody is owed, so it is a journal: debit the expense account, credit the offset account.
 */
export function companyExpenseJournalFromGl(
  expense: CompanyPaidExpense,
  options: {
    mappings: Mappings;
    number: string;
    /** The precision the books keep for this currency (journalDecimals); unset, CW's figures are kept. */
    ledgerDecimals?: number;
  },
): OtherResult<JournalDocument> {
  const problems: OtherProblem[] = [];
  const cwLines = [expense.total ?? 0, expense.offset?.total ?? -(expense.total ?? 0)];
  const places = journalDecimals(cwLines, expense.currency?.numberOfDecimals ?? 2, options.ledgerDecimals);
  const decimals = places.booked;
  const currency = expense.currency?.currencyCode;
  if (!currency) problems.push({ code: 'currency_missing', detail: `${options.number} has no currency` });
  if (companyPaidEntryIds(expense).length < 2)
    problems.push({ code: 'gl_entries_missing', detail: `${options.number} has no GL entries` });
  const debit = toMinor(expense.total ?? 0, decimals);
  const credit = expense.offset?.total === undefined ? -debit : toMinor(expense.offset.total ?? 0, decimals);
  const memo = expense.memo ?? '';
  const lines = [
    {
      description: memo,
      amountMinor: debit,
      accountKey: accountOf(options.mappings, expense.accountNumber, 'expense', problems),
      classKey: undefined,
    },
    {
      description: memo,
      amountMinor: credit,
      accountKey: accountOf(
        options.mappings,
        expense.offset?.accountNumber ?? expense.apAccountNumber,
        'expense offset',
        problems,
      ),
      classKey: undefined,
    },
  ];
  if (debit + credit !== 0n)
    problems.push({
      code: 'out_of_balance',
      detail: `${options.number}: debits and credits differ by ${formatMinor(debit + credit, decimals)}`,
    });
  if (debit === 0n) problems.push({ code: 'zero_total', detail: options.number });
  if (problems.length > 0) return { ok: false, problems };
  const rounding = journalRounding(currency!, cwLines, places, lines);
  return {
    ok: true,
    ...(rounding ? { rounding } : {}),
    document: {
      type: 'journal',
      number: options.number,
      date: day(expense.documentDate),
      currency: currency!,
      decimals,
      memo: memo || undefined,
      lines,
    },
  };
}

/** A purchase's freight GL line: CW's "PF" type (Purchase Order Freight) among its detail lines. */
export const isFreightLine = (line: { glTypeId?: string }) => line.glTypeId === 'PF';

/**
 * Whether the header's `freightAmount` is a bill line of its own. When CW gives freight a GL line ("PF")
 * that line is the freight, and the header amount repeats it. Without one, whether CW counts the
 * header freight in `total` is not shown by any published export (CW adds the freight GL entry only
 * once the PO is fully closed: Wise-Sync, "ConnectWise GL Mapping > Purchase Order Freight"), so this
 * is a guess isolated here: freight is a line exactly when the total needs it to add up.
 */
export function freightIsOwnLine(
  purchase: GlExportPurchaseTransaction,
  linesMinor: bigint,
  freightMinor: bigint,
  totalMinor: bigint,
): boolean {
  if (freightMinor === 0n || (purchase.purchaseDetail ?? []).some(isFreightLine)) return false;
  return linesMinor + freightMinor === totalMinor;
}

/**
 * A received purchase (CW's `purchaseTransactions`): a bill to the vendor, one line per item on the
 * account CW debited, plus freight and purchase tax. The ledger number is the vendor's invoice number
 * when CW has it.
 *
 * Signs (see glExportPurchaseDetailSchema): the header total is the bill's amount, positive; detail
 * and tax lines come as credits under it, so a bill line is the negated CW total. A vendor credit is
 * the mirror (negative header) and is refused as a bill.
 */
export function purchaseBillFromGl(
  purchase: GlExportPurchaseTransaction,
  options: BillOptions & { fallbackCurrency?: string },
): OtherResult<SalesOrBillDocument> {
  const problems: OtherProblem[] = [];
  const detail = purchase.purchaseDetail ?? [];
  const taxes = purchase.purchaseDetailTax ?? [];
  const { cw: cwDecimals, booked: decimals } = billDecimals(
    [purchase.total, purchase.freightAmount, ...[...detail, ...taxes].map((d) => d.total)],
    purchase.currency?.numberOfDecimals,
    options.ledgerDecimals,
  );
  const currency = purchase.currency?.currencyCode ?? options.fallbackCurrency;
  if (!currency) problems.push({ code: 'currency_missing', detail: `${options.number} has no currency` });
  if (detail.length === 0 || [...detail, ...taxes].some((d) => typeof d.id !== 'number'))
    problems.push({ code: 'gl_entries_missing', detail: `${options.number} has no GL entries` });
  if ((purchase.packingSlip ?? '').includes('|'))
    problems.push({
      code: 'invalid_batch_character',
      detail: `packing slip ${purchase.packingSlip} contains |`,
    });
  // Freight goes to the account CW posted it to (a "PF" line's own) when that is mapped, else the
  // tenant's freight mapping, else the first item line's account (as before CW gave freight a line).
  const freightAccount = (cwAccount: string | undefined) =>
    (cwAccount ? options.mappings.get('gl_account', cwAccount) : undefined) ??
    options.mappings.get('gl_account', freightAccountKey) ??
    accountOf(
      options.mappings,
      detail.find((d) => !isFreightLine(d))?.accountNumber ?? cwAccount,
      'freight',
      problems,
    );
  const lines: DocumentLine[] = detail.map((entry) => {
    const amountMinor = -toMinor(entry.total ?? 0, decimals);
    if (isFreightLine(entry))
      return oneUnit('Freight', amountMinor, decimals, freightAccount(entry.accountNumber));
    const description =
      entry.itemDescription || entry.memo || entry.description || entry.item?.identifier || '';
    const accountKey = accountOf(options.mappings, entry.accountNumber, description || 'item', problems);
    const itemIdentifier = entry.item?.identifier;
    return {
      ...oneUnit(description, amountMinor, decimals, accountKey),
      ...unitsOf(entry, amountMinor, decimals),
      itemKey: itemIdentifier ? options.mappings.get('item', itemIdentifier) : undefined,
    };
  });
  const freightMinor = toMinor(purchase.freightAmount ?? 0, decimals);
  const totalMinor = toMinor(purchase.total ?? 0, decimals);
  const taxMinorOf = (tax: (typeof taxes)[number]) => -toMinor(tax.total ?? 0, decimals);
  const linesMinor = sumMinor([...lines.map((l) => l.amountMinor), ...taxes.map(taxMinorOf)]);
  if (freightIsOwnLine(purchase, linesMinor, freightMinor, totalMinor))
    lines.push(oneUnit('Freight', freightMinor, decimals, freightAccount(undefined)));
  let documentTaxes: DocumentTax[] | undefined;
  if (options.taxPerCode || options.exemptCodeRequired) {
    // The books take CW's purchase tax per code, on lines that carry the code (as invoices do).
    documentTaxes = purchaseTaxes(purchase, lines, taxes.map(taxMinorOf), options, problems);
  } else {
    // Elsewhere (QBO US, which keeps no input tax) the tax is what CW posted it as: lines on its
    // purchase tax account.
    for (const tax of taxes) {
      const amountMinor = taxMinorOf(tax);
      if (amountMinor === 0n) continue;
      lines.push(
        oneUnit(
          tax.memo || 'Purchase tax',
          amountMinor,
          decimals,
          accountOf(options.mappings, tax.accountNumber, 'purchase tax', problems),
        ),
      );
    }
  }
  const taxMinor = sumMinor((documentTaxes ?? []).map((t) => t.taxMinor));
  const rounding = checkTotal(
    options.number,
    lines,
    taxMinor,
    { minor: totalMinor, decimals, cwMinor: toMinor(purchase.total ?? 0, cwDecimals), cwDecimals },
    currency ?? '',
    problems,
    { roundingLimit: options.roundingLimit, mappings: options.mappings },
  );
  const vendor = purchase.company;
  const party: Party = {
    kind: 'vendor',
    cwId: String(vendor?.id ?? purchase.vendorNumber ?? ''),
    accountNumber: purchase.vendorAccountNumber || purchase.vendorNumber || vendor?.identifier || undefined,
    name: vendor?.name || vendor?.identifier || purchase.vendorNumber || '',
    email: undefined,
  };
  if (problems.length > 0) return { ok: false, problems };
  const memo = [
    purchase.documentNumber && `PO ${purchase.documentNumber}`,
    purchase.packingSlip && `packing slip ${purchase.packingSlip}`,
  ]
    .filter(Boolean)
    .join(', ');
  const date = day(purchase.vendorInvoiceDate) || day(purchase.documentDate) || day(purchase.purchaseDate);
  const dueDate =
    typeof purchase.dueDays === 'number' && date
      ? new Date(Date.parse(`${date}T00:00:00Z`) + purchase.dueDays * 86_400_000).toISOString().slice(0, 10)
      : undefined;
  return {
    ok: true,
    ...(rounding ? { rounding } : {}),
    document: {
      type: 'bill',
      number: options.number,
      date,
      dueDate,
      currency: currency!,
      decimals,
      memo: memo || undefined,
      party,
      lines,
      taxMinor,
      ...(documentTaxes ? { taxes: documentTaxes } : {}),
      totalMinor,
      terms: purchase.billingTermsXref || undefined,
    },
  };
}

/**
 * A purchase's lines coded for books that take purchase tax per code (QBO outside the US, Xero), and
 * CW's purchase tax per ledger code. A line is taxed as CW flags it (`taxable`); CW charging tax with no
 * line flagged is tax on the whole purchase (its header's tax code), so every item line is taxed.
 * Freight is taxed when the header says so (purchaseHeaderFreightTaxableFlag). Mutates `lines`.
 */
function purchaseTaxes(
  purchase: GlExportPurchaseTransaction,
  lines: DocumentLine[],
  taxAmounts: bigint[],
  options: BillOptions,
  problems: OtherProblem[],
): DocumentTax[] {
  const detail = purchase.purchaseDetail ?? [];
  const headerCode = purchase.taxCode?.identifier ?? purchase.taxCode?.name ?? '';
  const charged = taxAmounts.some((t) => t !== 0n);
  const flagged = detail.some((d) => !isFreightLine(d) && d.taxable === true);
  const codeOf = (index: number): string | undefined => {
    const entry = detail[index];
    if (!entry) return undefined; // freight without a GL line of its own
    if (isFreightLine(entry)) return undefined;
    return entry.taxCodeXref || headerCode;
  };
  lines.forEach((line, index) => {
    const entry = detail[index];
    const isFreight = !entry || isFreightLine(entry);
    const taxed =
      charged &&
      (isFreight
        ? purchase.purchaseHeaderFreightTaxableFlag === true
        : flagged
          ? entry.taxable === true
          : true);
    line.taxable = taxed;
    line.taxKey = taxed
      ? taxKeyOf(
          options.mappings,
          isFreight ? headerCode : (codeOf(index) ?? ''),
          `line "${line.description}"`,
          problems,
        )
      : exemptKeyOf(options, `line "${line.description}"`, problems);
  });
  const byKey = new Map<string, DocumentTax>();
  for (const [k, taxMinor] of taxAmounts.entries()) {
    if (taxMinor === 0n) continue;
    const entry = purchase.purchaseDetailTax?.[k];
    const cwCode = entry?.taxCode?.identifier ?? entry?.taxCode?.name ?? headerCode;
    const taxKey = taxKeyOf(options.mappings, cwCode, 'purchase tax', problems);
    if (!taxKey) continue;
    const group = byKey.get(taxKey) ?? { taxKey, cwCodes: [], taxableMinor: 0n, taxMinor: 0n };
    if (!group.cwCodes.includes(cwCode)) group.cwCodes.push(cwCode);
    group.taxMinor += taxMinor;
    byKey.set(taxKey, group);
  }
  const taxed = lines.filter((l) => l.taxable);
  for (const group of byKey.values()) {
    const own = taxed.filter((l) => l.taxKey === group.taxKey);
    group.taxableMinor = sumMinor((own.length > 0 ? own : taxed).map((l) => l.amountMinor));
  }
  return [...byKey.values()];
}
