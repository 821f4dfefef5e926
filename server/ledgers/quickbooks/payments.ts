import { toMinor } from '../../money.js';
import type { LedgerPayment } from '../ledger.js';
import { currencyDecimals } from './mapping.js';
import { parse } from './parse-wire.js';
import { cdcResponseSchema, deletedSchema, paymentSchema } from './wire-schemas.js';

/** QBO's CDC returns at most this many objects per entity; a full page means "ask again". */
export const cdcPageLimit = 1000;

/**
 * One LedgerPayment per payment line applied to an invoice, for the money received: a credit
 * application (a Payment whose credit memo lines fund its invoice lines) brings none. A deleted payment arrives as
 * a bare {Id, status: "Deleted"}: its invoice is unknown, so documentId is empty.
 */
export function paymentsFromCdc(body: unknown): {
  payments: LedgerPayment[];
  lastUpdated: Date | undefined;
  full: boolean;
} {
  const cdc = parse(cdcResponseSchema, body);
  const rows = cdc.CDCResponse.flatMap((r) => r.QueryResponse ?? []).flatMap(
    (q) => (q.Payment ?? []) as unknown[],
  );
  const payments: LedgerPayment[] = [];
  let lastUpdated: Date | undefined;
  for (const row of rows) {
    const updatedAt = (row as { MetaData?: { LastUpdatedTime?: string } }).MetaData?.LastUpdatedTime ?? '';
    const when = new Date(updatedAt);
    if (!Number.isNaN(when.getTime()) && (!lastUpdated || when > lastUpdated)) lastUpdated = when;
    if ((row as { status?: string }).status === 'Deleted') {
      const deleted = parse(deletedSchema, row);
      payments.push({
        id: deleted.Id,
        documentId: '',
        documentNumber: undefined,
        amountMinor: 0n,
        currency: '',
        date: '',
        state: 'deleted',
        updatedAt,
      });
      continue;
    }
    const payment = parse(paymentSchema, row);
    const currency = payment.CurrencyRef?.value ?? 'USD';
    const decimals = currencyDecimals(currency);
    const voided =
      payment.PrivateNote?.startsWith('Voided') === true && toMinor(payment.TotalAmt ?? 0, decimals) === 0n;
    // Lines linked to a credit memo apply a credit, not money: the same amount on the invoice
    // lines is the credit's, so only what is left of them is money received.
    let creditLeft = 0n;
    for (const line of payment.Line ?? []) {
      if (line.LinkedTxn?.some((link) => link.TxnType === 'CreditMemo'))
        creditLeft += toMinor(line.Amount ?? 0, decimals);
    }
    for (const line of payment.Line ?? []) {
      for (const link of line.LinkedTxn ?? []) {
        if (link.TxnType !== 'Invoice') continue;
        const lineMinor = toMinor(line.Amount ?? 0, decimals);
        const fromCredit = creditLeft < lineMinor ? creditLeft : lineMinor;
        creditLeft -= fromCredit;
        if (lineMinor - fromCredit <= 0n) continue;
        payments.push({
          id: payment.Id,
          documentId: link.TxnId,
          documentNumber: undefined,
          amountMinor: lineMinor - fromCredit,
          currency,
          date: payment.TxnDate ?? '',
          state: voided ? 'voided' : 'active',
          updatedAt,
        });
      }
    }
  }
  payments.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
  return { payments, lastUpdated, full: rows.length >= cdcPageLimit };
}
