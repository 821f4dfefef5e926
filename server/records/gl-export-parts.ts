import { z } from 'zod';
import type {
  GlExport,
  GlExportAdjustmentTransaction,
  GlExportExpenseBill,
  GlExportInventoryTransfer,
  GlExportPurchaseTransaction,
  UnpostedExpense,
  UnpostedProcurement,
} from '../connectwise/schemas.js';
import { toMinor } from '../shared/money.js';

/*
 * Reading one GL record's part out of CW's GL export, and the GL entry ids its batch must name.
 * Here, below onboarding and the pipeline, because both need it: onboarding finds the entries to
 * batch, a push finds the part to map (pipeline/record-mappers.ts).
 */

/** A company-paid expense as CW exports it (`expenses[]`, not in the typed GLExport). */
export const companyPaidExpenseSchema = z
  .object({
    id: z.number().int().nullish(),
    documentDate: z.string().optional(),
    accountNumber: z.string().optional(),
    apAccountNumber: z.string().optional(),
    memo: z.string().optional(),
    member: z
      .object({ id: z.number().int().nullish(), identifier: z.string().optional() })
      .loose()
      .optional(),
    company: z.object({ id: z.number().int().nullish() }).loose().optional(),
    currency: z
      .object({ currencyCode: z.string().optional(), numberOfDecimals: z.number().int().optional() })
      .loose()
      .optional(),
    total: z.number().nullish(),
    offset: z
      .object({
        id: z.number().int().nullish(),
        accountNumber: z.string().optional(),
        total: z.number().nullish(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type CompanyPaidExpense = z.infer<typeof companyPaidExpenseSchema>;

/** The GL entry ids of a company-paid expense: the expense debit and its offset credit. */
export const companyPaidEntryIds = (expense: CompanyPaidExpense): number[] =>
  [expense.id, expense.offset?.id].filter((id): id is number => typeof id === 'number');

/**
 * The GL entry ids a purchase's batch must name: every detail line (freight included when CW gives it
 * a line) and every purchase tax entry (`purchaseDetailTax`).
 */
export const purchaseEntryIds = (purchase: GlExportPurchaseTransaction): number[] =>
  [...(purchase.purchaseDetail ?? []), ...(purchase.purchaseDetailTax ?? [])].flatMap((entry) =>
    typeof entry.id === 'number' ? [entry.id] : [],
  );

/**
 * An adjustment's GL entry ids, which its batch must name. ConnectWise's own types
 * (GLExportAdjustmentTransactionDetail in connectwise-rest's ManageTypes) give adjustment lines no
 * `id`, and no published export shows one, so none is assumed: a line's numeric `id` is used only when
 * CW sends it, and an adjustment without one is refused (`adjustment_entries_unknown`) before anything
 * is written, never batched by guess.
 */
export const adjustmentEntryIds = (adjustment: GlExportAdjustmentTransaction): number[] =>
  (adjustment.adjustmentDetail ?? [])
    .map((line) => (line as { id?: unknown }).id)
    .filter((id): id is number => typeof id === 'number');

/** A transfer line's own GL entry id: its `id` is a string in CW's types, taken only when numeric. */
export const transferLineEntryId = (line: GlExportInventoryTransfer): number | undefined =>
  /^\d+$/.test(line.id ?? '') ? Number(line.id) : undefined;

/**
 * A transfer's GL entry ids, which its batch must name: each line's own entry and its offset's
 * (`GLExportInventoryTransferOffset.id`, numeric in CW's types). A line missing either is left out,
 * and the mapper then refuses the transfer (`transfer_entries_unknown`) rather than batch part of it.
 */
export const transferEntryIds = (lines: GlExportInventoryTransfer[]): number[] => [
  ...new Set(
    lines.flatMap((line) =>
      [transferLineEntryId(line), line.offset?.id ?? undefined].filter((id): id is number => id != null),
    ),
  ),
];

/** One record's part of a GL export, by the shape CW gives it, with the GL entry ids its batch names. */
export type ExpensePart =
  | { shape: 'expense_bill'; bill: GlExportExpenseBill; glEntryIds: number[] }
  | { shape: 'company_paid'; expense: CompanyPaidExpense; glEntryIds: number[] };
export type PurchasePart = { shape: 'purchase'; purchase: GlExportPurchaseTransaction; glEntryIds: number[] };
export type AdjustmentPart = {
  shape: 'adjustment';
  adjustment: GlExportAdjustmentTransaction;
  glEntryIds: number[];
};
export type TransferPart = { shape: 'transfer'; lines: GlExportInventoryTransfer[]; glEntryIds: number[] };
export type GlRecordPart = ExpensePart | PurchasePart | AdjustmentPart | TransferPart;

/** What a record's part is looked for by: its CW id, its unposted product id and its unposted row. */
export interface PartIds {
  cwId: number;
  productId: string;
  unposted?: UnpostedProcurement;
}

/**
 * An expense's part. Expense parts do not carry the expense id (CW groups a member's reimbursable
 * entries into one bill, and a company-paid one is keyed by its GL entry), so an expense is found
 * only in an export of that one expense. CW decides its shape: a reimbursable expense is owed to the
 * member (an expense bill); a company-paid one is not owed to anybody (in `expenses[]`, a debit and
 * its offset credit).
 */
export function findExpensePart(glExport: GlExport, ids: PartIds): ExpensePart | undefined {
  const bills = glExport.expenseBills ?? [];
  const bill = bills.find((b) => b.id === ids.cwId) ?? (bills.length === 1 ? bills[0] : undefined);
  if (bill)
    return {
      shape: 'expense_bill',
      bill,
      glEntryIds: [...new Set((bill.detail ?? []).flatMap((d) => d.id ?? []))],
    };
  const paid = ((glExport as { expenses?: unknown[] }).expenses ?? []).map((e) =>
    companyPaidExpenseSchema.parse(e),
  );
  const expense = paid.length === 1 ? paid[0] : undefined;
  return expense && { shape: 'company_paid', expense, glEntryIds: companyPaidEntryIds(expense) };
}

/** A purchase's part (findPurchasePart), so one export can hold many. */
export function findProcurementPart(glExport: GlExport, ids: PartIds): PurchasePart | undefined {
  const purchase = findPurchasePart(glExport.purchaseTransactions ?? [], ids.productId, ids.unposted);
  return purchase && { shape: 'purchase', purchase, glEntryIds: purchaseEntryIds(purchase) };
}

/** A transfer's part: its lines (findTransferLines). */
export function findTransferPart(glExport: GlExport, ids: PartIds): TransferPart | undefined {
  const lines = findTransferLines(glExport.inventoryTransfers ?? [], ids.cwId, ids.productId);
  return lines && { shape: 'transfer', lines, glEntryIds: transferEntryIds(lines) };
}

/**
 * An adjustment's part. As for purchases, an adjustment's `id` is not documented to be the product
 * id: failing an exact match, the one adjustment whose description is the unposted record's is taken.
 */
export function findAdjustmentPart(glExport: GlExport, ids: PartIds): AdjustmentPart | undefined {
  const adjustments = glExport.adjustmentTransactions ?? [];
  const byId = adjustments.filter((a) => a.id === ids.productId);
  const described = adjustments.filter(
    (a) => ids.unposted?.description !== undefined && a.adjustmentDescription === ids.unposted.description,
  );
  const adjustment = byId.length === 1 ? byId[0] : described.length === 1 ? described[0] : undefined;
  return adjustment && { shape: 'adjustment', adjustment, glEntryIds: adjustmentEntryIds(adjustment) };
}

/**
 * A purchase's part of an export. The part's `id` is not documented to be the unposted product id (a
 * real export shows "PO #COMPANYBPO, Packing Slip: COMPANYBPO": Zynk-Workflow ConnectWise docs), so
 * an id equal to the product id is taken when there is exactly one; otherwise the part is found by
 * what ConnectWise's UnpostedProcurement and GLExportPurchaseTransaction types both carry: the PO
 * number (`purchaseOrder.name` / `documentNumber`), the vendor (`vendor.id` / `company.id`), the
 * vendor's invoice number and the total. Only a single match is answered: two look-alike receipts in
 * one export are never told apart by guess (the caller exports each on its own or refuses).
 */
export function findPurchasePart(
  purchases: GlExportPurchaseTransaction[],
  productId: string,
  unposted: UnpostedProcurement | undefined,
): GlExportPurchaseTransaction | undefined {
  const byId = purchases.filter((p) => p.id === productId);
  if (byId.length === 1) return byId[0];
  if (!unposted) return undefined;
  const decimals = unposted.currency?.numberOfDecimals ?? 2;
  const same = (a: string | undefined, b: string | undefined) => (a ?? '') === (b ?? '');
  const matches = purchases.filter(
    (p) =>
      same(p.documentNumber, unposted.purchaseOrder?.name ?? unposted.purchaseOrder?.identifier) &&
      (p.company?.id ?? null) === (unposted.vendor?.id ?? null) &&
      same(p.vendorInvoiceNumber, unposted.vendorInvoiceNumber) &&
      toMinor(Math.abs(p.total ?? 0), decimals) === toMinor(Math.abs(unposted.total ?? 0), decimals),
  );
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * A transfer's lines in an export: CW sends one GLExportInventoryTransfer per transferred item, each
 * naming its transfer by `transferId`, taken to be the unposted procurement's id (ConnectWise's types
 * say no more: a guess). Failing any `transferId`, a single line whose `id` is the unposted product id
 * is taken, as for adjustments; anything else is not guessed at.
 */
export function findTransferLines(
  transfers: GlExportInventoryTransfer[],
  cwId: number,
  productId: string,
): GlExportInventoryTransfer[] | undefined {
  const byTransfer = transfers.filter((t) => t.transferId === cwId);
  if (byTransfer.length > 0) return byTransfer;
  const byId = transfers.filter((t) => t.transferId == null && t.id === productId);
  return byId.length === 1 ? byId : undefined;
}

/**
 * What an unposted expense and its part of an export both show: member, day, memo (the charge
 * description), company, GL account, amount and whether it is owed to the member. An export part
 * carries no expense id, but within one export these tell the expenses apart.
 */
const expenseSignature = (s: {
  memberId: number | null | undefined;
  date: string | undefined;
  memo: string | undefined;
  companyId: number | null | undefined;
  accountNumber: string | undefined;
  total: number | null | undefined;
  reimbursable: boolean;
}) =>
  JSON.stringify([
    s.memberId ?? null,
    (s.date ?? '').slice(0, 10),
    s.memo ?? '',
    s.companyId ?? null,
    s.accountNumber ?? '',
    s.total ?? 0,
    s.reimbursable,
  ]);

/**
 * The GL entry ids of each expense in an export of several, found by signature. Pure. Only an
 * expense whose signature no other expense of the list and no other part of the export shares is
 * answered; the rest (two taxis of the same amount on one day, say) are left for an export of their
 * own, so an expense is never batched with another's entries.
 */
export function matchExpenseParts(unposted: UnpostedExpense[], glExport: GlExport): Map<number, number[]> {
  const parts = new Map<string, number[][]>();
  const addPart = (signature: string, ids: number[]) =>
    parts.set(signature, [...(parts.get(signature) ?? []), ids]);
  for (const bill of glExport.expenseBills ?? []) {
    for (const line of bill.detail ?? []) {
      const signature = expenseSignature({
        memberId: bill.member?.id,
        date: line.documentDate,
        memo: line.memo,
        companyId: line.company?.id,
        accountNumber: line.accountNumber,
        total: line.total,
        reimbursable: true,
      });
      addPart(signature, line.id ?? []);
    }
  }
  for (const raw of (glExport as { expenses?: unknown[] }).expenses ?? []) {
    const expense = companyPaidExpenseSchema.parse(raw);
    const signature = expenseSignature({
      memberId: expense.member?.id,
      date: expense.documentDate,
      memo: expense.memo,
      companyId: expense.company?.id,
      accountNumber: expense.accountNumber,
      total: expense.total,
      reimbursable: false,
    });
    addPart(signature, companyPaidEntryIds(expense));
  }
  const signatureOf = (u: UnpostedExpense) =>
    expenseSignature({
      memberId: u.member?.id,
      date: u.dateExpense,
      memo: u.chargeDescription,
      companyId: u.company?.id,
      accountNumber: u.accountNumber,
      total: u.total,
      reimbursable: u.classification !== 'NonReimbursable',
    });
  const signatures = unposted.map((u) => [u, signatureOf(u)] as const);
  const expensesPer = new Map<string, number>();
  for (const [, signature] of signatures) expensesPer.set(signature, (expensesPer.get(signature) ?? 0) + 1);
  const matched = new Map<number, number[]>();
  for (const [u, signature] of signatures) {
    const found = parts.get(signature);
    if (expensesPer.get(signature) === 1 && found?.length === 1 && found[0]!.length > 0)
      matched.set(u.id, found[0]!);
  }
  return matched;
}
