import type { LedgerPayment } from '../ledger.js';
import { fromXeroPayment } from './mapping.js';
import { envelope, paymentWire } from './wire.js';
import type { XeroApi } from './xero-api.js';

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
