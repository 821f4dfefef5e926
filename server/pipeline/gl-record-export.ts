import type {
  GlExport,
  GlExportAdjustmentTransaction,
  GlExportExpenseBill,
  GlExportInventoryTransfer,
  GlExportPurchaseTransaction,
  UnpostedExpense,
  UnpostedProcurement,
} from '../connectwise/schemas.js';
import type { RecordType } from '../db/schema.js';
import { toMinor } from '../shared/money.js';
import { adjustmentEntryIds, transferEntryIds } from './map/adjustments-and-transfers.js';
import {
  type CompanyPaidExpense,
  companyPaidEntryIds,
  companyPaidExpenseSchema,
  purchaseEntryIds,
} from './map/expenses-and-purchases.js';

/** The record types that are not invoices: expenses, procurement purchases, inventory adjustments and transfers. */
export type OtherRecordType = Extract<RecordType, 'expense' | 'procurement' | 'adjustment' | 'transfer'>;

export const isOtherRecordType = (type: RecordType): type is OtherRecordType =>
  type === 'expense' || type === 'procurement' || type === 'adjustment' || type === 'transfer';

/**
 * The number a record goes by: its batch is `{prefix}{number}` and (except for a purchase with a
 * vendor invoice number) its ledger document carries it. CW gives expenses and adjustments no number
 * of their own, and several receipts can share a PO, so the CW id makes it unique.
 */
export const otherRecordNumber = (type: OtherRecordType, cwId: number) =>
  `${{ expense: 'EXP', procurement: 'PUR', adjustment: 'ADJ', transfer: 'TRF' }[type]}-${cwId}`;

export const otherRecordLabel = (type: OtherRecordType, cwId: number) =>
  `${{ expense: 'Expense', procurement: 'Purchase', adjustment: 'Inventory adjustment', transfer: 'Inventory transfer' }[type]} ${cwId}`;

/** One record's part of a GL export, by the shape CW gives it, with the GL entry ids its batch names. */
export type OtherRecordPart =
  | { shape: 'expense_bill'; bill: GlExportExpenseBill; glEntryIds: number[] }
  | { shape: 'company_paid'; expense: CompanyPaidExpense; glEntryIds: number[] }
  | { shape: 'purchase'; purchase: GlExportPurchaseTransaction; glEntryIds: number[] }
  | { shape: 'adjustment'; adjustment: GlExportAdjustmentTransaction; glEntryIds: number[] }
  | { shape: 'transfer'; lines: GlExportInventoryTransfer[]; glEntryIds: number[] };

/**
 * A purchase's part of an export. The part's `id` is not documented to be the unposted product id (a
 * real export shows "PO #COMPANYBPO, Packing Slip: COMPANYBPO": Zynk-Workflow ConnectWise docs), so
 * an id equal to the product id is taken when there is exactly one; otherwise the part is found by
 * what ConnectWise's UnpostedProcurement and GLExportPurchaseTransaction types both carry: the PO
 * number (`purchaseOrder.name` / `documentNumber`), the vendor (`vendor.id` / `company.id`), the
 * vendor's invoice number and the total. Only a single match is answered: two look-alike receipts in
 * one export are never told apart by guess (the caller exports each on its own or refuses).
 */
export function findPurchasePart(
  purchases: GlExportPurchaseTransaction[],
  productId: string,
  unposted: UnpostedProcurement | undefined,
): GlExportPurchaseTransaction | undefined {
  const byId = purchases.filter((p) => p.id === productId);
  if (byId.length === 1) return byId[0];
  if (!unposted) return undefined;
  const decimals = unposted.currency?.numberOfDecimals ?? 2;
  const same = (a: string | undefined, b: string | undefined) => (a ?? '') === (b ?? '');
  const matches = purchases.filter(
    (p) =>
      same(p.documentNumber, unposted.purchaseOrder?.name ?? unposted.purchaseOrder?.identifier) &&
      (p.company?.id ?? null) === (unposted.vendor?.id ?? null) &&
      same(p.vendorInvoiceNumber, unposted.vendorInvoiceNumber) &&
      toMinor(Math.abs(p.total ?? 0), decimals) === toMinor(Math.abs(unposted.total ?? 0), decimals),
  );
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * Finds one record in an export. Purchases are found by findPurchasePart, so one export can hold
 * many. Expense parts do not carry the expense id (CW groups a member's reimbursable entries into
 * one bill, and a company-paid entry is keyed by its GL entry), so an expense is found only in an
 * export of that one expense.
 */
export function findOtherRecordPart(
  type: OtherRecordType,
  glExport: GlExport,
  ids: { cwId: number; productId: string; unposted?: UnpostedProcurement },
): OtherRecordPart | undefined {
  if (type === 'expense') {
    // CW decides: a reimbursable expense is owed to the member (an expense bill); a company-paid one
    // is not owed to anybody (in `expenses[]`, a debit and its offset credit).
    const bills = glExport.expenseBills ?? [];
    const bill = bills.find((b) => b.id === ids.cwId) ?? (bills.length === 1 ? bills[0] : undefined);
    if (bill)
      return {
        shape: 'expense_bill',
        bill,
        glEntryIds: [...new Set((bill.detail ?? []).flatMap((d) => d.id ?? []))],
      };
    const paid = ((glExport as { expenses?: unknown[] }).expenses ?? []).map((e) =>
      companyPaidExpenseSchema.parse(e),
    );
    const expense = paid.length === 1 ? paid[0] : undefined;
    return expense && { shape: 'company_paid', expense, glEntryIds: companyPaidEntryIds(expense) };
  }
  if (type === 'procurement') {
    const purchase = findPurchasePart(glExport.purchaseTransactions ?? [], ids.productId, ids.unposted);
    return purchase && { shape: 'purchase', purchase, glEntryIds: purchaseEntryIds(purchase) };
  }
  if (type === 'transfer') {
    const lines = findTransferLines(glExport.inventoryTransfers ?? [], ids.cwId, ids.productId);
    return lines && { shape: 'transfer', lines, glEntryIds: transferEntryIds(lines) };
  }
  // As for purchases, an adjustment's `id` is not documented to be the product id: failing an exact
  // match, the one adjustment whose description is the unposted record's is taken.
  const adjustments = glExport.adjustmentTransactions ?? [];
  const byId = adjustments.filter((a) => a.id === ids.productId);
  const described = adjustments.filter(
    (a) => ids.unposted?.description !== undefined && a.adjustmentDescription === ids.unposted.description,
  );
  const adjustment = byId.length === 1 ? byId[0] : described.length === 1 ? described[0] : undefined;
  return adjustment && { shape: 'adjustment', adjustment, glEntryIds: adjustmentEntryIds(adjustment) };
}

/**
 * A transfer's lines in an export: CW sends one GLExportInventoryTransfer per transferred item, each
 * naming its transfer by `transferId`, taken to be the unposted procurement's id (ConnectWise's types
 * say no more: a guess). Failing any `transferId`, a single line whose `id` is the unposted product id
 * is taken, as for adjustments; anything else is not guessed at.
 */
export function findTransferLines(
  transfers: GlExportInventoryTransfer[],
  cwId: number,
  productId: string,
): GlExportInventoryTransfer[] | undefined {
  const byTransfer = transfers.filter((t) => t.transferId === cwId);
  if (byTransfer.length > 0) return byTransfer;
  const byId = transfers.filter((t) => t.transferId == null && t.id === productId);
  return byId.length === 1 ? byId : undefined;
}

/**
 * What an unposted expense and its part of an export both show: member, day, memo (the charge
 * description), company, GL account, amount and whether it is owed to the member. An export part
 * carries no expense id, but within one export these tell the expenses apart.
 */
const expenseSignature = (s: {
  memberId: number | null | undefined;
  date: string | undefined;
  memo: string | undefined;
  companyId: number | null | undefined;
  accountNumber: string | undefined;
  total: number | null | undefined;
  reimbursable: boolean;
}) =>
  JSON.stringify([
    s.memberId ?? null,
    (s.date ?? '').slice(0, 10),
    s.memo ?? '',
    s.companyId ?? null,
    s.accountNumber ?? '',
    s.total ?? 0,
    s.reimbursable,
  ]);

/**
 * The GL entry ids of each expense in an export of several, found by signature. Pure. Only an
 * expense whose signature no other expense of the list and no other part of the export shares is
 * answered; the rest (two taxis of the same amount on one day, say) are left for an export of their
 * own, so an expense is never batched with another's entries.
 */
export function matchExpenseParts(unposted: UnpostedExpense[], glExport: GlExport): Map<number, number[]> {
  const parts = new Map<string, number[][]>();
  const addPart = (signature: string, ids: number[]) =>
    parts.set(signature, [...(parts.get(signature) ?? []), ids]);
  for (const bill of glExport.expenseBills ?? []) {
    for (const line of bill.detail ?? []) {
      const signature = expenseSignature({
        memberId: bill.member?.id,
        date: line.documentDate,
        memo: line.memo,
        companyId: line.company?.id,
        accountNumber: line.accountNumber,
        total: line.total,
        reimbursable: true,
      });
      addPart(signature, line.id ?? []);
    }
  }
  for (const raw of (glExport as { expenses?: unknown[] }).expenses ?? []) {
    const expense = companyPaidExpenseSchema.parse(raw);
    const signature = expenseSignature({
      memberId: expense.member?.id,
      date: expense.documentDate,
      memo: expense.memo,
      companyId: expense.company?.id,
      accountNumber: expense.accountNumber,
      total: expense.total,
      reimbursable: false,
    });
    addPart(signature, companyPaidEntryIds(expense));
  }
  const signatureOf = (u: UnpostedExpense) =>
    expenseSignature({
      memberId: u.member?.id,
      date: u.dateExpense,
      memo: u.chargeDescription,
      companyId: u.company?.id,
      accountNumber: u.accountNumber,
      total: u.total,
      reimbursable: u.classification !== 'NonReimbursable',
    });
  const signatures = unposted.map((u) => [u, signatureOf(u)] as const);
  const expensesPer = new Map<string, number>();
  for (const [, signature] of signatures) expensesPer.set(signature, (expensesPer.get(signature) ?? 0) + 1);
  const matched = new Map<number, number[]>();
  for (const [u, signature] of signatures) {
    const found = parts.get(signature);
    if (expensesPer.get(signature) === 1 && found?.length === 1 && found[0]!.length > 0)
      matched.set(u.id, found[0]!);
  }
  return matched;
}
