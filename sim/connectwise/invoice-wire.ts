import { formatMinor, toMinor } from '../../server/shared/money.js';
import type { InvoiceRecord } from './seed-schema.js';
import type { CwBehaviours } from './state.js';

/**
 * An invoice as GET /finance/invoices returns it, with derived amounts filled in exactly. CW's Invoice
 * carries `status` as a BillingStatusReference `{id, name}` and has no `dateClosed` (connectwise-rest
 * ManageTypes `Invoice`; Zynk's real invoice list, test/conformance/connectwise/invoices-get.zynk.xml):
 * a seed's `status.isClosed` hint (seed-schema.ts) and `dateClosed` stay inside the simulator, where
 * posting and the unposted list read them (closed is the billing status's `closedFlag`, posting.ts).
 */
export function invoiceWire(
  invoice: InvoiceRecord,
  /** Whether CW sends the batch on the invoice, a guess (CwBehaviours.invoiceGlBatch). */
  glBatch: CwBehaviours['invoiceGlBatch'] = 'absent',
) {
  const { dateClosed: _dateClosed, status, glBatch: batch, ...wire } = invoice;
  return {
    ...wire,
    ...(glBatch === 'present' && batch ? { glBatch: batch } : {}),
    status: { ...(status.id === undefined ? {} : { id: status.id }), name: status.name },
    subtotal: invoice.subtotal ?? minus(invoice, invoice.total, invoice.salesTax),
    balance: invoice.balance ?? minus(invoice, invoice.total, invoice.payments, invoice.credits),
  };
}

export const decimalsOf = (invoice: InvoiceRecord): number =>
  (invoice.currency as { numberOfDecimals?: number } | undefined)?.numberOfDecimals ?? 2;

/** Money is subtracted in minor units so balances never pick up float noise. */
export function minus(invoice: InvoiceRecord, from: number, ...amounts: number[]): number {
  const decimals = decimalsOf(invoice);
  let minor = toMinor(from, decimals);
  for (const amount of amounts) minor -= toMinor(amount, decimals);
  return Number(formatMinor(minor, decimals));
}

export function plus(invoice: InvoiceRecord, a: number, b: number): number {
  const decimals = decimalsOf(invoice);
  return Number(formatMinor(toMinor(a, decimals) + toMinor(b, decimals), decimals));
}
