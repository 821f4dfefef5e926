import type { LedgerKind } from './ledger.js';
import { ledgerProviderOf } from './providers.js';

/**
 * The decimals a ledger keeps for amounts in a currency (its entry's `amountDecimals`: Xero 2 in
 * every currency, QBO the currency's ISO 4217 decimals). What a document must be rounded to.
 */
export const ledgerAmountDecimals = (kind: LedgerKind, currency: string): number =>
  ledgerProviderOf(kind).amountDecimals(currency);

/**
 * How a document is mapped for a connection, the same for invoices and bills: the precision its books
 * keep for the currency, whether they need a tax code on every line and whether they take purchase
 * tax per code on the lines (its entry's `taxRules`). A connection of no known kind needs neither.
 */
export function bookingOptionsFor(
  connection: { kind?: LedgerKind; tax_setup?: { model?: string } | null },
  currency: string | undefined,
): { exemptCodeRequired: boolean; taxPerCode: boolean; ledgerDecimals?: number } {
  const rules = connection.kind
    ? ledgerProviderOf(connection.kind).taxRules(connection.tax_setup)
    : { exemptCodeRequired: false, taxPerCode: false };
  return {
    ...rules,
    ...(currency && connection.kind
      ? { ledgerDecimals: ledgerAmountDecimals(connection.kind, currency) }
      : {}),
  };
}
