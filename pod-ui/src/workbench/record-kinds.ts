import type { RecordType } from '../api/types.js';

export const typeLabels: Record<RecordType, string> = {
  invoice: 'Invoice',
  credit_memo: 'Credit memo',
  expense: 'Expense',
  procurement: 'Procurement',
  adjustment: 'Adjustment',
  transfer: 'Transfer',
};

/** The ConnectWise screen `openScreen` opens for each record type (credit memos are invoices there). */
export const cwScreens: Record<RecordType, string> = {
  invoice: 'Invoice',
  credit_memo: 'Invoice',
  expense: 'ExpenseReport',
  procurement: 'PurchaseOrder',
  adjustment: 'ProductAdjustment',
  // A guess: no published list names CW's inventory transfer screen for openScreen.
  transfer: 'ProductTransfer',
};

export const recordKey = (r: { type: RecordType; cwId: string | number }) => `${r.type}:${r.cwId}`;
