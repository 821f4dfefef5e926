import type { ConnectWiseClient, GlTransaction } from '../connectwise/index.js';
import { parseGlEntryIds } from '../connectwise/index.js';
import type { RecordType } from '../db/schema.js';
import type { ErrorCode } from './error-catalogue.js';

/** One unposted CW record as onboarding sees it: enough to batch it, or the reason it cannot be. */
export interface OnboardingCandidate {
  type: RecordType;
  cwId: number;
  number: string;
  date: string;
  glEntryIds: number[];
  problem: { code: ErrorCode; detail: string } | undefined;
}

/** CW lists, exports and batches invoices and credit memos together. */
export type OnboardingKind = 'invoices';

export const kindOfType: Record<RecordType, OnboardingKind | undefined> = {
  invoice: 'invoices',
  credit_memo: 'invoices',
  expense: undefined,
  procurement: undefined,
  adjustment: undefined,
};

/** Records per export call: few calls, responses of a sensible size. */
export const exportChunk = 100;

const glEntryIdsOf = (transaction: GlTransaction) => {
  const ids = new Set(parseGlEntryIds(transaction.glEntryIds ?? ''));
  for (const line of transaction.detail ?? []) if (typeof line.id === 'number') ids.add(line.id);
  return [...ids];
};

/**
 * Unposted invoices and credit memos dated through the cutoff, page by page, each page exported in
 * chunks so that a record costs a fraction of a CW call before its own batch call.
 */
export async function* invoiceCandidates(
  cw: ConnectWiseClient,
  cutoffDate: string,
  types: Set<RecordType>,
): AsyncGenerator<OnboardingCandidate[]> {
  const through = `${cutoffDate}T23:59:59Z`;
  for await (const page of cw.unpostedPages('invoices', `invoiceDate <= [${through}]`)) {
    const wanted = page.filter((u) => {
      const type: RecordType = u.invoiceType === 'CreditMemo' ? 'credit_memo' : 'invoice';
      return types.has(type) && (u.invoiceDate ?? '').slice(0, 10) <= cutoffDate;
    });
    for (let i = 0; i < wanted.length; i += exportChunk) {
      const chunk = wanted.slice(i, i + exportChunk);
      const glExport = await cw.exportGl({
        thruDate: through,
        summarizeInvoices: 'Detailed',
        exportInvoicesFlag: true,
        includedInvoiceIds: chunk.map((u) => u.id),
        exportExpensesFlag: false,
        exportProductsFlag: false,
      });
      const byNumber = new Map((glExport.transactions ?? []).map((t) => [t.documentNumber, t]));
      yield chunk.map((u): OnboardingCandidate => {
        const transaction = byNumber.get(u.invoiceNumber);
        const glEntryIds = transaction ? glEntryIdsOf(transaction) : [];
        const label = `${u.invoiceType === 'CreditMemo' ? 'Credit memo' : 'Invoice'} ${u.invoiceNumber}`;
        return {
          type: u.invoiceType === 'CreditMemo' ? 'credit_memo' : 'invoice',
          cwId: u.id,
          number: u.invoiceNumber,
          date: (u.invoiceDate ?? '').slice(0, 10),
          glEntryIds,
          problem:
            glEntryIds.length === 0
              ? { code: 'gl_entries_missing', detail: label }
              : u.invoiceNumber.includes('|')
                ? { code: 'invalid_batch_character', detail: `${label}: the number contains |` }
                : undefined,
        };
      });
    }
  }
}
