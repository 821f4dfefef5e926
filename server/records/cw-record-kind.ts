import type { UnpostedKind } from '../connectwise/index.js';
import type { RecordType } from '../db/schema.js';

/** Where CW's Accounting Interface lists each record type: invoices and credit memos together, purchases, adjustments and transfers together. */
export const unpostedKindOf: Record<RecordType, UnpostedKind> = {
  invoice: 'invoices',
  credit_memo: 'invoices',
  expense: 'expenses',
  procurement: 'procurement',
  adjustment: 'procurement',
  transfer: 'procurement',
};

/** The `procurementType` CW's unposted procurement list gives each procurement record type. */
export const procurementTypeOf = {
  procurement: 'Purchase',
  adjustment: 'Adjustment',
  transfer: 'Transfer',
} as const satisfies Partial<Record<RecordType, string>>;

/** The export flags a batch of one record of this type carries: CW posts only the kind flagged. */
export const batchFlagsFor = (type: RecordType) => ({
  exportInvoicesFlag: unpostedKindOf[type] === 'invoices',
  exportExpensesFlag: unpostedKindOf[type] === 'expenses',
  exportProductsFlag: unpostedKindOf[type] === 'procurement',
});
