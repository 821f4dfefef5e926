import { z } from 'zod';
import type { GlExportExpenseBill, GlExportPurchaseTransaction } from '../connectwise/schemas.js';
import type { DocumentLine, JournalDocument, Party, SalesOrBillDocument } from '../ledgers/ledger.js';
import { formatMinor, sumMinor, toMinor } from '../money.js';
import type { MappingProblem } from './gl-to-document.js';
import type { Mappings } from './mappings.js';

/**
 * Pure mappings from CW's GLExport to ledger documents for expenses and procurement purchases.
 *
 * CW's sign convention for these records (see sim/connectwise/gl-export.ts and schemas.ts): a header
 * `total` is the document's amount; detail lines are signed by GL side, debits positive, credits
 * negative. A bill's expense or inventory lines are debits, so they arrive positive and are booked
 * as they come; a refund arrives negative.
 */

export type OtherProblem =
  | MappingProblem
  | { code: 'negative_bill' | 'zero_total' | 'invalid_batch_character'; detail: string };

export type OtherResult<D> = { ok: true; document: D } | { ok: false; problems: OtherProblem[] };

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

function checkTotal(
  number: string,
  lines: bigint[],
  totalMinor: bigint,
  decimals: number,
  currency: string,
  problems: OtherProblem[],
) {
  const sum = sumMinor(lines);
  if (sum !== totalMinor)
    problems.push({
      code: 'out_of_balance',
      detail: `${number}: the lines add up to ${formatMinor(sum, decimals)} but CW states ${formatMinor(totalMinor, decimals)} ${currency}`,
    });
  if (totalMinor === 0n) problems.push({ code: 'zero_total', detail: number });
  else if (totalMinor < 0n)
    problems.push({ code: 'negative_bill', detail: `${number} (${formatMinor(totalMinor, decimals)})` });
}

/**
 * A reimbursable expense (CW's `expenseBills`): a bill payable to the member, who is the vendor.
 * One line per expense entry, on the entry's expense account.
 */
export function expenseBillFromGl(
  bill: GlExportExpenseBill,
  options: { mappings: Mappings; number: string },
): OtherResult<SalesOrBillDocument> {
  const problems: OtherProblem[] = [];
  const decimals = bill.currency?.numberOfDecimals ?? 2;
  const currency = bill.currency?.currencyCode;
  if (!currency) problems.push({ code: 'currency_missing', detail: `${options.number} has no currency` });
  const detail = bill.detail ?? [];
  if (detail.length === 0 || detail.every((d) => (d.id ?? []).length === 0))
    problems.push({ code: 'gl_entries_missing', detail: `${options.number} has no GL entries` });
  const lines = detail.map((entry) =>
    oneUnit(
      entry.memo ?? '',
      toMinor(entry.total ?? 0, decimals),
      decimals,
      accountOf(options.mappings, entry.accountNumber, entry.memo || 'expense', problems),
    ),
  );
  const totalMinor = toMinor(bill.total ?? 0, decimals);
  checkTotal(
    options.number,
    lines.map((l) => l.amountMinor),
    totalMinor,
    decimals,
    currency ?? '',
    problems,
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

/** A company-paid expense as CW exports it (`expenses[]`, not in the typed GLExport). */
export const companyPaidExpenseSchema = z
  .object({
    id: z.number().int().nullish(),
    documentDate: z.string().optional(),
    accountNumber: z.string().optional(),
    apAccountNumber: z.string().optional(),
    memo: z.string().optional(),
    member: z
      .object({ id: z.number().int().nullish(), identifier: z.string().optional() })
      .loose()
      .optional(),
    company: z.object({ id: z.number().int().nullish() }).loose().optional(),
    currency: z
      .object({ currencyCode: z.string().optional(), numberOfDecimals: z.number().int().optional() })
      .loose()
      .optional(),
    total: z.number().nullish(),
    offset: z
      .object({
        id: z.number().int().nullish(),
        accountNumber: z.string().optional(),
        total: z.number().nullish(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type CompanyPaidExpense = z.infer<typeof companyPaidExpenseSchema>;

/** The GL entry ids of a company-paid expense: the expense debit and its offset credit. */
export const companyPaidEntryIds = (expense: CompanyPaidExpense): number[] =>
  [expense.id, expense.offset?.id].filter((id): id is number => typeof id === 'number');

/**
 * A company-paid expense (card, account; CW puts it in `expenses[]` rather than `expenseBills[]`):
 * nobody is owed, so it is a journal: debit the expense account, credit the offset account.
 */
export function companyExpenseJournalFromGl(
  expense: CompanyPaidExpense,
  options: { mappings: Mappings; number: string },
): OtherResult<JournalDocument> {
  const problems: OtherProblem[] = [];
  const decimals = expense.currency?.numberOfDecimals ?? 2;
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
  return {
    ok: true,
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

/**
 * A received purchase (CW's `purchaseTransactions`): a bill to the vendor, one line per item on the
 * account CW debited, plus freight. The ledger number is the vendor's invoice number when CW has it.
 */
export function purchaseBillFromGl(
  purchase: GlExportPurchaseTransaction,
  options: { mappings: Mappings; number: string; fallbackCurrency?: string },
): OtherResult<SalesOrBillDocument> {
  const problems: OtherProblem[] = [];
  const decimals = purchase.currency?.numberOfDecimals ?? 2;
  const currency = purchase.currency?.currencyCode ?? options.fallbackCurrency;
  if (!currency) problems.push({ code: 'currency_missing', detail: `${options.number} has no currency` });
  const detail = purchase.purchaseDetail ?? [];
  if (detail.length === 0 || detail.some((d) => typeof d.id !== 'number'))
    problems.push({ code: 'gl_entries_missing', detail: `${options.number} has no GL entries` });
  if ((purchase.packingSlip ?? '').includes('|'))
    problems.push({
      code: 'invalid_batch_character',
      detail: `packing slip ${purchase.packingSlip} contains |`,
    });
  const lines: DocumentLine[] = detail.map((entry) => {
    const amountMinor = toMinor(entry.total ?? 0, decimals);
    const description = entry.description || entry.item?.identifier || '';
    const accountKey = accountOf(options.mappings, entry.accountNumber, description || 'item', problems);
    const itemIdentifier = entry.item?.identifier;
    const quantity = entry.quantity ?? 1;
    const unitCost = entry.cost ?? entry.itemCost;
    // qty x cost is kept when it gives CW's line total exactly, else one unit at the total.
    const exact =
      unitCost !== undefined &&
      unitCost !== null &&
      Number.isInteger(quantity) &&
      BigInt(quantity) * toMinor(unitCost, decimals) === amountMinor;
    return {
      ...oneUnit(description, amountMinor, decimals, accountKey),
      ...(exact
        ? { quantity: String(quantity), unitPrice: formatMinor(toMinor(unitCost, decimals), decimals) }
        : {}),
      itemKey: itemIdentifier ? options.mappings.get('item', itemIdentifier) : undefined,
    };
  });
  const freightMinor = toMinor(purchase.freightAmount ?? 0, decimals);
  if (freightMinor !== 0n) {
    const freightAccount =
      options.mappings.get('gl_account', freightAccountKey) ?? lines[0]?.accountKey ?? '';
    lines.push(oneUnit('Freight', freightMinor, decimals, freightAccount));
  }
  const totalMinor = toMinor(purchase.total ?? 0, decimals);
  checkTotal(
    options.number,
    lines.map((l) => l.amountMinor),
    totalMinor,
    decimals,
    currency ?? '',
    problems,
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
      taxMinor: 0n,
      totalMinor,
      terms: purchase.billingTermsXref || undefined,
    },
  };
}
