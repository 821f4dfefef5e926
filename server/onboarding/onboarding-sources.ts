import type {
  ConnectWiseClient,
  GlTransaction,
  UnpostedExpense,
  UnpostedInvoice,
  UnpostedKind,
  UnpostedProcurement,
} from '../connectwise/index.js';
import { parseGlEntryIds } from '../connectwise/index.js';
import type { RecordType } from '../db/schema.js';
import type { ErrorCode } from '../records/error-catalogue.js';
import { findExpensePart, type GlRecordPart, matchExpenseParts } from '../records/gl-export-parts.js';
import {
  type GlRecordType,
  glRecordKind,
  glRecordLabel,
  glRecordNumber,
  invoiceRecordType,
  isGlRecordType,
  procurementRecordType,
  recordKinds,
  recordTypes,
} from '../records/record-kinds.js';
import { mapBounded } from '../shared/bounded-map.js';

/** One unposted CW record as onboarding sees it: enough to batch it, or the reason it cannot be. */
export interface OnboardingCandidate {
  type: RecordType;
  cwId: number;
  number: string;
  date: string;
  glEntryIds: number[];
  problem: { code: ErrorCode; detail: string } | undefined;
  /** CW's unposted row: the amounts, company and date the onboarded record keeps. */
  unposted: UnpostedInvoice | UnpostedExpense | UnpostedProcurement;
}

/** Records per export call: few calls, responses of a sensible size. */
export const exportChunk = 100;

/*
 * Each kind's list is read whole before anything is batched: a batched record leaves CW's unposted
 * list, so reading page 2 after batching page 1 would skip a page's worth of records. The list
 * costs the same calls (one per 1,000 records) and a few hundred bytes a record.
 */

/** Exports of single expenses running at once (CW paces them further through the call limiter). */
const expenseExportsAtOnce = 4;

const quoted = (values: string[]) => values.map((v) => `"${v}"`).join(', ');

/** The kinds of CW list a run reads, in a fixed order, for the record types asked for. */
export const kindsFor = (types: Iterable<RecordType>): UnpostedKind[] => {
  const kinds = new Set([...types].map((t) => recordKinds[t].unposted));
  return (['invoices', 'expenses', 'procurement'] as const).filter((k) => kinds.has(k));
};

/**
 * CW conditions for one kind's unposted records of the wanted types, dated through the cutoff:
 * CW counts and lists only what the run will handle.
 */
export function unpostedConditions(kind: UnpostedKind, cutoffDate: string, types: Set<RecordType>): string {
  const through = `[${cutoffDate}T23:59:59Z]`;
  if (kind === 'expenses') return `dateExpense <= ${through}`;
  if (kind === 'procurement') {
    const wanted = recordTypes
      .filter((t): t is GlRecordType => types.has(t) && isGlRecordType(t))
      .flatMap((t) => glRecordKind(t).procurementType ?? []);
    return `purchaseDate <= ${through} and procurementType in (${quoted(wanted)})`;
  }
  const invoices = `invoiceDate <= ${through}`;
  if (types.has('invoice') && types.has('credit_memo')) return invoices;
  return `${invoices} and invoiceType ${types.has('credit_memo') ? '=' : '!='} "CreditMemo"`;
}

/** Candidates of one kind, chunk by chunk; with `onlyId`, that one record's (onboarding it again). */
export function candidatesOfKind(
  cw: ConnectWiseClient,
  kind: UnpostedKind,
  cutoffDate: string,
  types: Set<RecordType>,
  onlyId?: number,
): AsyncGenerator<OnboardingCandidate[]> {
  const conditions =
    unpostedConditions(kind, cutoffDate, types) + (onlyId === undefined ? '' : ` and id = ${onlyId}`);
  if (kind === 'invoices') return invoiceCandidates(cw, conditions, cutoffDate, types);
  if (kind === 'expenses') return expenseCandidates(cw, conditions, cutoffDate);
  return procurementCandidates(cw, conditions, cutoffDate, types);
}

const through = (cutoffDate: string) => `${cutoffDate}T23:59:59Z`;

const glEntryIdsOf = (transaction: GlTransaction) => {
  const ids = new Set(parseGlEntryIds(transaction.glEntryIds ?? ''));
  for (const line of transaction.detail ?? []) if (typeof line.id === 'number') ids.add(line.id);
  return [...ids];
};

/**
 * Unposted invoices and credit memos, exported in chunks so that a record costs a fraction of a CW
 * call before its own batch call.
 */
async function* invoiceCandidates(
  cw: ConnectWiseClient,
  conditions: string,
  cutoffDate: string,
  types: Set<RecordType>,
): AsyncGenerator<OnboardingCandidate[]> {
  const wanted = (await cw.listUnposted('invoices', conditions)).filter((u) => {
    return types.has(invoiceRecordType(u.invoiceType)) && (u.invoiceDate ?? '').slice(0, 10) <= cutoffDate;
  });
  for (let i = 0; i < wanted.length; i += exportChunk) {
    const chunk = wanted.slice(i, i + exportChunk);
    const glExport = await cw.exportGl({
      thruDate: through(cutoffDate),
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
      const type = invoiceRecordType(u.invoiceType);
      const label = `${recordKinds[type].label} ${u.invoiceNumber}`;
      return {
        type,
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
        unposted: u,
      };
    });
  }
}

/**
 * Unposted expenses, 100 to an export: an export part carries no expense id, so each expense is
 * found in it by what both show (matchExpenseParts). An expense that another of the chunk could be
 * mistaken for is exported on its own, which costs it a second CW call.
 */
async function* expenseCandidates(
  cw: ConnectWiseClient,
  conditions: string,
  cutoffDate: string,
): AsyncGenerator<OnboardingCandidate[]> {
  const wanted = (await cw.listUnposted('expenses', conditions)).filter(
    (u) => (u.dateExpense ?? '').slice(0, 10) <= cutoffDate,
  );
  const exportOf = (ids: number[]) =>
    cw.exportGl({
      thruDate: through(cutoffDate),
      exportInvoicesFlag: false,
      exportExpensesFlag: true,
      includedExpenseIds: ids,
      exportProductsFlag: false,
    });
  const candidate = (u: UnpostedExpense, glEntryIds: number[]): OnboardingCandidate => ({
    type: 'expense',
    cwId: u.id,
    number: glRecordNumber('expense', u.id),
    date: (u.dateExpense ?? '').slice(0, 10),
    glEntryIds,
    problem:
      glEntryIds.length === 0
        ? { code: 'gl_entries_missing', detail: glRecordLabel('expense', u.id) }
        : undefined,
    unposted: u,
  });
  for (let i = 0; i < wanted.length; i += exportChunk) {
    const chunk = wanted.slice(i, i + exportChunk);
    const matched =
      chunk.length > 1 ? matchExpenseParts(chunk, await exportOf(chunk.map((u) => u.id))) : new Map();
    yield await mapBounded(chunk, expenseExportsAtOnce, async (u): Promise<OnboardingCandidate> => {
      const found = matched.get(u.id);
      if (found) return candidate(u, found);
      const part = findExpensePart(await exportOf([u.id]), {
        cwId: u.id,
        productId: String(u.id),
      });
      return candidate(u, part?.glEntryIds ?? []);
    });
  }
}

/** What CW would refuse in a purchase or an adjustment batch, found in the export before any batch call. */
function procurementProblem(
  type: GlRecordType,
  u: UnpostedProcurement,
  part: GlRecordPart | undefined,
): OnboardingCandidate['problem'] {
  const label = glRecordLabel(type, u.id);
  if (!part) return { code: glRecordKind(type).partMissing.onboarding, detail: label };
  if (part.shape === 'adjustment' && part.glEntryIds.length < (part.adjustment.adjustmentDetail ?? []).length)
    return { code: 'adjustment_entries_unknown', detail: label };
  if (part.shape === 'transfer' && part.lines.some((l) => !/^\d+$/.test(l.id ?? '') || l.offset?.id == null))
    return { code: 'transfer_entries_unknown', detail: label };
  if (part.glEntryIds.length === 0) return { code: 'gl_entries_missing', detail: label };
  if (glRecordKind(type).quoteInDescriptionRefused && (u.description ?? '').includes("'"))
    return { code: 'invalid_batch_character', detail: `${label}: its description contains '` };
  if (part.shape === 'purchase' && (part.purchase.packingSlip ?? '').includes('|'))
    return { code: 'invalid_batch_character', detail: `${label}: its packing slip contains |` };
  return undefined;
}

/** Unposted purchases, inventory adjustments and transfers: their export parts carry the product id, so many share a call. */
async function* procurementCandidates(
  cw: ConnectWiseClient,
  conditions: string,
  cutoffDate: string,
  types: Set<RecordType>,
): AsyncGenerator<OnboardingCandidate[]> {
  const wanted = (await cw.listUnposted('procurement', conditions)).filter((u) => {
    const type = procurementRecordType(u.procurementType);
    const date = ((u as { purchaseDate?: string }).purchaseDate ?? '').slice(0, 10);
    return type !== undefined && types.has(type) && date <= cutoffDate;
  });
  for (let i = 0; i < wanted.length; i += exportChunk) {
    const chunk = wanted.slice(i, i + exportChunk);
    const productIdOf = (u: UnpostedProcurement) => u.unpostedProductId ?? String(u.id);
    const glExport = await cw.exportGl({
      thruDate: through(cutoffDate),
      exportInvoicesFlag: false,
      exportExpensesFlag: false,
      exportProductsFlag: true,
      includedProductIds: chunk.map(productIdOf),
    });
    yield chunk.map((u): OnboardingCandidate => {
      const type = procurementRecordType(u.procurementType)!;
      const part = glRecordKind(type).findPart(glExport, {
        cwId: u.id,
        productId: productIdOf(u),
        unposted: u,
      });
      return {
        type,
        cwId: u.id,
        number: glRecordNumber(type, u.id),
        date: ((u as { purchaseDate?: string }).purchaseDate ?? '').slice(0, 10),
        glEntryIds: part?.glEntryIds ?? [],
        problem: procurementProblem(type, u, part),
        unposted: u,
      };
    });
  }
}
