import type { LedgerKind } from './ledger.js';
import { qboDecimals } from './quickbooks/mapping.js';
import { XERO_AMOUNT_DECIMALS } from './xero/currency.js';

/**
 * The decimals a ledger keeps for amounts in a currency: Xero 2 in every currency ("Rounding in
 * Xero", domain.md §8), QBO the currency's ISO 4217 decimals. What a document must be rounded to.
 */
export const ledgerAmountDecimals = (kind: LedgerKind, currency: string): number =>
  kind === 'xero' ? XERO_AMOUNT_DECIMALS : qboDecimals(currency);

/**
 * How a document is mapped for a connection, the same for invoices and bills: the precision its books
 * keep for the currency, whether they need a tax code on every line (QBO outside the US, whose
 * untaxed lines then take the exempt code), and whether they take purchase tax per code on the lines
 * (QBO outside the US and Xero, which report input tax from it; QBO US keeps none, so a bill's tax
 * stays lines on CW's purchase tax account).
 */
export function bookingOptionsFor(
  connection: { kind?: LedgerKind; tax_setup?: { model?: string } | null },
  currency: string | undefined,
): { exemptCodeRequired: boolean; taxPerCode: boolean; ledgerDecimals?: number } {
  const exemptCodeRequired = connection.kind === 'qbo' && connection.tax_setup?.model === 'global';
  return {
    exemptCodeRequired,
    taxPerCode: exemptCodeRequired || connection.kind === 'xero',
    ...(currency && connection.kind
      ? { ledgerDecimals: ledgerAmountDecimals(connection.kind, currency) }
      : {}),
  };
}
