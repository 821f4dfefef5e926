import type { RecordState } from '../db/schema.js';
import type { LedgerDocumentRef } from '../ledgers/ledger.js';
import { rescaleMinor } from '../shared/money.js';

/**
 * A ledger document's amounts as the record stores them: in the record's precision (ConnectWise's
 * `numberOfDecimals`), converted from the ledger's own (`ref.decimals`: Xero 2 dp in every currency,
 * QBO the currency's). Without this an ISK invoice read from QBO at 0 dp and shown at CW's 2 dp is a
 * hundredth of itself.
 */
export function ledgerColumns(ref: LedgerDocumentRef, recordDecimals: number) {
  return {
    ledger_total_minor: String(rescaleMinor(ref.totalMinor, ref.decimals, recordDecimals)),
    ledger_balance_minor: String(rescaleMinor(ref.balanceMinor, ref.decimals, recordDecimals)),
    ledger_status: ref.status,
  };
}

/** Paid state from the ledger's balance: the books are the truth about payments. */
export function paidState(totalMinor: bigint, balanceMinor: bigint): RecordState {
  if (balanceMinor <= 0n && totalMinor > 0n) return 'paid';
  if (balanceMinor < totalMinor) return 'partly_paid';
  return 'synced';
}
