import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGlEntryIds } from '../../server/connectwise/gl-entry-ids.js';
import { callbackRegistration } from '../../server/pipeline/callback-watchdog.js';
import { buildExpense, buildInvoiceWithGl, buildProcurement, seedWith } from '../../sim/connectwise/index.js';
import { type SimAndClient, startSimAndClient } from '../connectwise/support.js';
import { cwTypes, undocumentedPaths } from './support/cw-types.js';

/*
 * Every ConnectWise list or record the product reads, as the simulator answers it, holds only fields
 * ConnectWise's own types define (connectwise-rest ManageTypes, generated from CW's OpenAPI): no
 * published body exists for most of these endpoints, so CW's types are the outside judge.
 */
const invoice = buildInvoiceWithGl({
  number: '119',
  lines: [{ description: 'Labor', quantity: 1, unitPrice: 10 }],
});
/** Posted in a batch, so that the batch list has one (and 119 stays unposted). */
const batched = buildInvoiceWithGl({
  number: '120',
  lines: [{ description: 'Labor', quantity: 1, unitPrice: 20 }],
});

/*
 * Fields the simulator sends that CW's types lack, pinned so that a new one fails and a fixed one
 * is noticed. None today: invoice payments carried `paymentSyncStatus` and `glBatchID` (domain.md §2
 * names both; CW's Payment has neither and nothing in the product reads them), now dropped.
 */
const pinned: Record<string, string[]> = {};

const endpoints: [string, string][] = [
  ['/finance/accounting/unpostedinvoices', 'UnpostedInvoice'],
  ['/finance/accounting/unpostedexpenses', 'UnpostedExpense'],
  ['/finance/accounting/unpostedprocurement', 'UnpostedProcurement'],
  ['/finance/billingTerms', 'BillingTerm'],
  ['/finance/billingStatuses', 'BillingStatus'],
  ['/system/securityroles', 'SecurityRole'],
  ['/system/locations', 'Location'],
  ['/system/connectWiseHostedScreens', 'ConnectWiseHostedScreen'],
  ['/system/members', 'Member'],
  ['/company/companies', 'Company'],
  [`/finance/invoices/${invoice.invoice.id}/payments`, 'Payment'],
  ['/finance/accounting/batches', 'AccountingBatch'],
  ['/system/callbacks', 'CallbackEntry'],
];

describe('ConnectWise simulator: no field ConnectWise’s own types lack', () => {
  let cw: SimAndClient;
  beforeAll(async () => {
    cw = await startSimAndClient(
      seedWith([invoice, batched], {
        expenses: [buildExpense({ amount: 10, type: 'Meals' })],
        procurement: [buildProcurement({ procurementType: 'Purchase', total: 5 })],
      }),
    );
    const paid = await cw.raw(`/finance/invoices/${invoice.invoice.id}/payments`, {
      method: 'POST',
      body: JSON.stringify({ type: 'Payment', amount: 1, paymentDate: '2024-03-20T00:00:00Z' }),
    });
    expect(paid.status).toBe(201);
    // A batch and a callback, made as the product makes them, so that their lists have one each.
    const glExport = await cw.client.exportInvoice(batched.invoice.id);
    await cw.client.createBatch({
      batchIdentifier: 'LP-FIELDS',
      processedRecordIds: parseGlEntryIds(glExport.transactions?.[0]?.glEntryIds),
      exportInvoicesFlag: true,
    });
    await cw.client.registerCallback(
      callbackRegistration('https://ledgerpod.example.com/webhooks/connectwise/t'),
    );
  });
  afterAll(() => cw.close());

  it.each(endpoints)('GET %s answers only %s fields', async (path, type) => {
    expect(cwTypes().has(type)).toBe(true);
    const response = await cw.raw(path);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as unknown;
    const items = Array.isArray(answer) ? answer : [answer];
    expect(items.length).toBeGreaterThan(0);
    const undocumented = [...new Set(items.flatMap((item) => undocumentedPaths(item, type)))];
    expect(undocumented).toEqual(pinned[path] ?? []);
  });
});
