import type { LedgerChange, LedgerPayment } from '../ledger.js';
import type { XeroApi } from './api.js';
import { fromXeroPayment } from './mapping.js';
import { envelope, paymentWire } from './wire.js';

const PAGE_SIZE = 100;

/**
 * Xero sends no payment webhooks, so payments are polled: If-Modified-Since, oldest change first,
 * 100 a page. A deleted payment stays in the list with Status DELETED and a new UpdatedDateUTC.
 */
export async function* paymentsSince(xero: XeroApi, since: Date): AsyncGenerator<LedgerPayment[]> {
  for (let page = 1; ; page++) {
    const body = await xero.call(envelope('Payments', paymentWire), (api, t) =>
      api.getPayments(t, since, undefined, 'UpdatedDateUTC ASC', page, PAGE_SIZE),
    );
    if (body.Payments.length > 0) yield body.Payments.map(fromXeroPayment);
    if (body.Payments.length < PAGE_SIZE) return;
  }
}

/**
 * Xero sends no payment events, but a payment applied to (or removed from) an invoice updates it:
 * an INVOICE UPDATE event has that invoice's payments read, deleted ones included (Status DELETED),
 * in one call. A CREATE is not read: a new invoice carries no payment, and ours would cost a call
 * per push. The id goes into the filter as a GUID only: anything else is no invoice id.
 */
export async function paymentsOfInvoice(
  xero: XeroApi,
  change: LedgerChange,
): Promise<LedgerPayment[] | undefined> {
  if (change.entity.toUpperCase() !== 'INVOICE' || change.operation.toUpperCase() !== 'UPDATE')
    return undefined;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(change.id)) return undefined;
  const body = await xero.call(envelope('Payments', paymentWire), (api, t) =>
    api.getPayments(t, undefined, `Invoice.InvoiceID==Guid("${change.id}")`, 'UpdatedDateUTC ASC'),
  );
  return body.Payments.map(fromXeroPayment);
}
