import type { AccountingBatch, ConnectWiseClient, Invoice } from '../connectwise/index.js';

/**
 * Whether ConnectWise has an invoice or credit memo posted (in a GL batch), told by the signals CW
 * documents, as for every other record type (push-gl-record.ts): CW's unposted list
 * (GET /finance/accounting/unpostedinvoices/{id}) and our own batch found by its identifier.
 *
 * `glBatch` on GET /finance/invoices/{id} is read only as an extra hint where CW sends it: our notes
 * say CW adds it once the invoice is batched (domain.md §2), but connectwise-rest's Invoice type
 * (ManageTypes.d.ts) has no such field and the real invoice sample (test/conformance/connectwise)
 * lacks it, so nothing may depend on it (a tolerant reader; the CW simulator's `invoiceGlBatch`
 * switch runs the tests with and without it).
 *
 * Absence from the unposted list alone is not "posted": a closed invoice without GL mappings has no
 * GL entries and is not listed either (domain.md §2, Accounting Interface), and neither is an open
 * one. This module is the one place that reads `glBatch`.
 */
export type InvoicePosting =
  /** CW lists it as unposted: it has GL entries and no batch holds them. */
  | { state: 'unposted' }
  /** In a batch: CW's glBatch says so (`ownBatch` not looked up), or our own batch of it exists. */
  | { state: 'posted'; ownBatch?: AccountingBatch }
  /**
   * Nothing asked says either way: not listed and no batch of ours (open, closed without GL
   * entries, or batched by someone else, which CW's documented reads cannot tell apart), or, asked
   * for the hint only, no glBatch sent.
   */
  | { state: 'unknown' };

/**
 * What is asked, cheapest first: 'hint' reads only the invoice in hand (no call); 'list' also asks
 * CW's unposted list (1 call, merged with other callers' reads, client.ts byIds); `{ ownBatch }`
 * then, when it is not listed, looks for our batch under that identifier (1 more call).
 */
export type PostingQuestion = 'hint' | 'list' | { ownBatch: string };

export async function invoicePosting(
  cw: Pick<ConnectWiseClient, 'getUnposted' | 'findBatch'>,
  invoice: Invoice,
  ask: PostingQuestion,
): Promise<InvoicePosting> {
  if (invoice.glBatch) return { state: 'posted' };
  if (ask === 'hint') return { state: 'unknown' };
  if (await cw.getUnposted('invoices', invoice.id)) return { state: 'unposted' };
  if (ask === 'list') return { state: 'unknown' };
  const ownBatch = await cw.findBatch(ask.ownBatch);
  return ownBatch ? { state: 'posted', ownBatch } : { state: 'unknown' };
}
