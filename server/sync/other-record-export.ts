import type {
  GlExport,
  GlExportAdjustmentTransaction,
  GlExportExpenseBill,
  GlExportPurchaseTransaction,
} from '../connectwise/schemas.js';
import type { RecordType } from '../db/schema.js';
import { type CompanyPaidExpense, companyPaidEntryIds, companyPaidExpenseSchema } from './gl-to-bill.js';
import { adjustmentEntryIds } from './gl-to-journal.js';

/** The record types that are not invoices: expenses, procurement purchases, inventory adjustments. */
export type OtherRecordType = Extract<RecordType, 'expense' | 'procurement' | 'adjustment'>;

export const isOtherRecordType = (type: RecordType): type is OtherRecordType =>
  type === 'expense' || type === 'procurement' || type === 'adjustment';

/**
 * The number a record goes by: its batch is `{prefix}{number}` and (except for a purchase with a
 * vendor invoice number) its ledger document carries it. CW gives expenses and adjustments no number
 * of their own, and several receipts can share a PO, so the CW id makes it unique.
 */
export const otherRecordNumber = (type: OtherRecordType, cwId: number) =>
  `${{ expense: 'EXP', procurement: 'PUR', adjustment: 'ADJ' }[type]}-${cwId}`;

export const otherRecordLabel = (type: OtherRecordType, cwId: number) =>
  `${{ expense: 'Expense', procurement: 'Purchase', adjustment: 'Inventory adjustment' }[type]} ${cwId}`;

/** One record's part of a GL export, by the shape CW gives it, with the GL entry ids its batch names. */
export type OtherRecordPart =
  | { shape: 'expense_bill'; bill: GlExportExpenseBill; glEntryIds: number[] }
  | { shape: 'company_paid'; expense: CompanyPaidExpense; glEntryIds: number[] }
  | { shape: 'purchase'; purchase: GlExportPurchaseTransaction; glEntryIds: number[] }
  | { shape: 'adjustment'; adjustment: GlExportAdjustmentTransaction; glEntryIds: number[] };

/**
 * Finds one record in an export. Procurement parts carry the unposted product id, so one export can
 * hold many. Expense parts do not carry the expense id (CW groups a member's reimbursable entries into
 * one bill, and a company-paid entry is keyed by its GL entry), so an expense is found only in an
 * export of that one expense.
 */
export function findOtherRecordPart(
  type: OtherRecordType,
  glExport: GlExport,
  ids: { cwId: number; productId: string },
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
    const purchase = (glExport.purchaseTransactions ?? []).find((p) => p.id === ids.productId);
    return (
      purchase && {
        shape: 'purchase',
        purchase,
        glEntryIds: (purchase.purchaseDetail ?? []).flatMap((d) => (typeof d.id === 'number' ? [d.id] : [])),
      }
    );
  }
  const adjustment = (glExport.adjustmentTransactions ?? []).find((a) => a.id === ids.productId);
  return adjustment && { shape: 'adjustment', adjustment, glEntryIds: adjustmentEntryIds(adjustment) };
}
