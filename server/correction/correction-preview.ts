import type { CorrectionPreview, PreviewChange, PreviewLine } from '../../contract/correction.js';
import type { LedgerDocumentState, SalesOrBillDocument, Settlement } from '../ledgers/ledger.js';
import { formatMinor, rescaleMinor } from '../shared/money.js';

/**
 * What a correction of a synced invoice will change (issue 16 item 2), worked out before anything
 * is touched. Pure: the inputs are read by correction-read.ts. Amounts are shown in ConnectWise's
 * precision for the record, as decimal text.
 */

export interface PreviewInput {
  number: string;
  currency: string;
  /** ConnectWise's decimals for the record. */
  decimals: number;
  /** "QuickBooks" or "Xero", for the sentences. */
  books: string;
  /** The record's own CW batch still stands (the correction reverses it first). */
  batched: boolean;
  /** CW's invoice as its GL export maps to a ledger document now; undefined when CW exports none. */
  after: SalesOrBillDocument | undefined;
  /** CW's header figures, for when there is no export to map (still posted, not closed). */
  cwTotalMinor: bigint;
  cwTaxMinor: bigint;
  /** Why there is no `after`, in one sentence, when there is none. */
  afterMissing?: string;
  ledger: LedgerDocumentState;
  /** What must come off the document before its lines change; undefined where the ledger edits paid documents. */
  settlements: Settlement[] | undefined;
}

// The preview is the API's (the pod shows it before the correction starts): declared in the contract.
export type { CorrectionPreview } from '../../contract/correction.js';

export function previewCorrection(input: PreviewInput): CorrectionPreview {
  const money = (minor: bigint) => formatMinor(minor, input.decimals);
  const doc = input.ledger.document;
  const at = (minor: bigint, from: number) => rescaleMinor(minor, from, input.decimals);
  const before = doc && {
    total: at(doc.totalMinor, doc.decimals),
    tax: at(doc.taxMinor, doc.decimals),
    balance: at(doc.balanceMinor, doc.decimals),
  };
  const afterTotal = input.after ? input.after.totalMinor : input.cwTotalMinor;
  const afterTax = input.after ? input.after.taxMinor : input.cwTaxMinor;
  const lines = input.after ? input.after.lines.map((l) => lineView(l, input.after!.decimals)) : null;
  const unapply = (input.settlements ?? []).map((s) => ({
    kind: s.kind,
    id: s.id,
    amount: formatMinor(at(s.amountMinor, s.decimals), input.decimals),
    date: s.date,
    creditNumber: s.creditNumber ?? null,
  }));
  const changes: PreviewChange[] = [];
  if (before) {
    const pairs: [PreviewChange['field'], bigint, bigint][] = [
      ['total', before.total, afterTotal],
      ['tax', before.tax, afterTax],
      ['subtotal', before.total - before.tax, afterTotal - afterTax],
    ];
    for (const [field, from, to] of pairs)
      if (from !== to) changes.push({ field, before: money(from), after: money(to) });
  }
  const result: CorrectionPreview = {
    number: input.number,
    currency: input.currency,
    books: input.books,
    batched: input.batched,
    before: before
      ? {
          total: money(before.total),
          tax: money(before.tax),
          subtotal: money(before.total - before.tax),
          balance: money(before.balance),
        }
      : null,
    after: { total: money(afterTotal), tax: money(afterTax), subtotal: money(afterTotal - afterTax), lines },
    changes,
    unapply,
    blocked: null,
  };
  result.blocked = blockOf(input, result, afterTotal, before?.total, money);
  return result;
}

function blockOf(
  input: PreviewInput,
  preview: CorrectionPreview,
  afterTotal: bigint,
  beforeTotal: bigint | undefined,
  money: (minor: bigint) => string,
): CorrectionPreview['blocked'] {
  const doc = input.ledger.document;
  if (!doc || doc.status === 'deleted' || doc.status === 'voided')
    return {
      code: 'deleted_in_books',
      message: `${input.number} is no longer live in ${input.books}, so there is no document to correct; reverse it in the pod and sync it again.`,
    };
  // Still posted: CW exports nothing until the correction reverses the batch; its header figures stand in.
  if (!input.after && !input.batched)
    return {
      code: 'not_exportable',
      message:
        input.afterMissing ??
        `ConnectWise exports no GL entries for ${input.number} now; close it in ConnectWise, then preview the correction again.`,
    };
  if (preview.changes.length === 0 && !input.batched)
    return {
      code: 'nothing_to_correct',
      message: `${input.number} in ${input.books} already matches ConnectWise; sync it to batch it again.`,
    };
  if (preview.changes.length === 0)
    return {
      code: 'nothing_to_correct',
      message: `${input.number} in ${input.books} already matches ConnectWise (${money(afterTotal)} ${input.currency}); nothing to correct.`,
    };
  const paidMinor = input.ledger.payments.reduce(
    (sum, p) => sum + rescaleMinor(p.amountMinor, p.decimals, input.decimals),
    0n,
  );
  const creditedMinor = input.ledger.credits.reduce(
    (sum, c) => sum + rescaleMinor(c.amountMinor, c.decimals, input.decimals),
    0n,
  );
  if (paidMinor + creditedMinor > afterTotal)
    return {
      code: 'paid_above_new_total',
      message: `${input.number} has ${money(paidMinor + creditedMinor)} ${input.currency} paid or credited in ${input.books}, more than its corrected total of ${money(afterTotal)} (was ${money(beforeTotal ?? 0n)}); refund or re-apply the difference in ${input.books} first, then correct it.`,
    };
  return null;
}

function lineView(line: SalesOrBillDocument['lines'][number], decimals: number): PreviewLine {
  return {
    description: line.description,
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    amount: formatMinor(line.amountMinor, decimals),
    account: line.accountKey,
    taxCode: line.taxKey ?? null,
  };
}
