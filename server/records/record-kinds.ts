import type { Updateable } from 'kysely';
import { recordTypes } from '../../contract/record-state.js';
import type {
  GlExport,
  UnpostedExpense,
  UnpostedInvoice,
  UnpostedKind,
  UnpostedProcurement,
} from '../connectwise/index.js';
import type { RecordRow, RecordsTable, RecordType } from '../db/schema.js';
import type { ErrorCode } from './error-catalogue.js';
import {
  findAdjustmentPart,
  findExpensePart,
  findProcurementPart,
  findTransferPart,
  type GlRecordPart,
  type PartIds,
} from './gl-export-parts.js';
import { glRecordColumns, type UnpostedGlRecord } from './gl-record-columns.js';
import { unpostedInvoiceColumns } from './invoice-columns.js';

/*
 * Every record type, as data: one entry each in `recordKinds`. Adding a type is its entry here, its
 * mapper in pipeline/record-mappers.ts and the mapper's file (docs/architecture.md). The type's
 * name ('procurement' for a purchase) is stored in the database and named in the API and the pod's
 * URLs, so it stays; what people read is the label.
 */

/** The export flags of a CW batch: CW posts only the kind flagged. */
export interface BatchFlags {
  exportInvoicesFlag: boolean;
  exportExpensesFlag: boolean;
  exportProductsFlag: boolean;
}

const flagsFor = (kind: UnpostedKind): BatchFlags => ({
  exportInvoicesFlag: kind === 'invoices',
  exportExpensesFlag: kind === 'expenses',
  exportProductsFlag: kind === 'procurement',
});

/** A row of one of CW's unposted lists. */
export type UnpostedRow = UnpostedInvoice | UnpostedGlRecord;

/** Record columns, as RecordStore sets them. */
type RecordColumns = Omit<Updateable<RecordsTable>, 'state' | 'tenant_id' | 'id'>;

interface KindBase {
  /** What people read: messages, labels ("Purchase 12"). */
  label: string;
  /** Where CW's Accounting Interface lists it unposted: invoices and credit memos together, purchases, adjustments and transfers together. */
  unposted: UnpostedKind;
  /** The flags of its own CW batch. */
  batchFlags: BatchFlags;
  /** The record's columns as its unposted list shows them (onboarding, discovery), for its number. */
  unpostedColumns(
    unposted: UnpostedRow,
    record: Pick<RecordRow, 'decimals' | 'currency'>,
    number: string,
  ): RecordColumns;
}

/** Invoices and credit memos: read and exported by invoice id; booked as the ledger's invoice or credit memo. */
interface InvoiceKind extends KindBase {
  family: 'invoice';
  /** How one record is previewed: CW's GL export of that invoice. */
  preview: 'invoice_export';
}

/** Expenses, purchases, inventory adjustments and transfers: found in CW's GL export; booked as a bill or journal. */
interface GlRecordKind extends KindBase {
  family: 'gl_record';
  /**
   * Its number is `{prefix}-{cwId}` (its batch is `{batchPrefix}{number}`): CW gives expenses and
   * adjustments no number of their own, and several receipts can share a PO, so the CW id makes it unique.
   */
  numberPrefix: string;
  /** The `procurementType` CW's unposted procurement list gives it (none for expenses). */
  procurementType: 'Purchase' | 'Adjustment' | 'Transfer' | undefined;
  /**
   * How one record is previewed: an expense alone in an expense export (CW's export does not say
   * which expense a part belongs to); a product by its product id, in an export others may share.
   */
  preview: 'expense_export' | 'product_export';
  /** Its part of a GL export (records/gl-export-parts.ts), with the GL entry ids its batch names. */
  findPart(glExport: GlExport, ids: PartIds): GlRecordPart | undefined;
  /**
   * The error when its part is not in the export: on a push, and in onboarding (which checks an
   * adjustment's entries itself once found, so a missing adjustment is missing entries there).
   */
  partMissing: { push: ErrorCode; onboarding: ErrorCode };
  /** CW refuses a batch of it whose description holds a `'`. */
  quoteInDescriptionRefused: boolean;
}

export type RecordKind = InvoiceKind | GlRecordKind;

/** An invoice's or credit memo's columns from CW's unposted invoice list (its type is the record's). */
const invoiceListColumns: KindBase['unpostedColumns'] = (unposted, record) => {
  const { type: _type, ...columns } = unpostedInvoiceColumns(unposted as UnpostedInvoice, record);
  return { ...columns, refreshed_at: new Date() };
};

const glListColumns: KindBase['unpostedColumns'] = (unposted, record, number) =>
  glRecordColumns(unposted as UnpostedExpense | UnpostedProcurement, record, number);

export const recordKinds = {
  invoice: {
    family: 'invoice',
    label: 'Invoice',
    unposted: 'invoices',
    batchFlags: flagsFor('invoices'),
    preview: 'invoice_export',
    unpostedColumns: invoiceListColumns,
  },
  credit_memo: {
    family: 'invoice',
    label: 'Credit memo',
    unposted: 'invoices',
    batchFlags: flagsFor('invoices'),
    preview: 'invoice_export',
    unpostedColumns: invoiceListColumns,
  },
  expense: {
    family: 'gl_record',
    label: 'Expense',
    unposted: 'expenses',
    batchFlags: flagsFor('expenses'),
    numberPrefix: 'EXP',
    procurementType: undefined,
    preview: 'expense_export',
    findPart: findExpensePart,
    partMissing: { push: 'gl_entries_missing', onboarding: 'gl_entries_missing' },
    quoteInDescriptionRefused: false,
    unpostedColumns: glListColumns,
  },
  procurement: {
    family: 'gl_record',
    label: 'Purchase',
    unposted: 'procurement',
    batchFlags: flagsFor('procurement'),
    numberPrefix: 'PUR',
    procurementType: 'Purchase',
    preview: 'product_export',
    findPart: findProcurementPart,
    partMissing: { push: 'purchase_not_in_export', onboarding: 'purchase_not_in_export' },
    quoteInDescriptionRefused: false,
    unpostedColumns: glListColumns,
  },
  adjustment: {
    family: 'gl_record',
    label: 'Inventory adjustment',
    unposted: 'procurement',
    batchFlags: flagsFor('procurement'),
    numberPrefix: 'ADJ',
    procurementType: 'Adjustment',
    preview: 'product_export',
    findPart: findAdjustmentPart,
    partMissing: { push: 'adjustment_entries_unknown', onboarding: 'gl_entries_missing' },
    quoteInDescriptionRefused: true,
    unpostedColumns: glListColumns,
  },
  transfer: {
    family: 'gl_record',
    label: 'Inventory transfer',
    unposted: 'procurement',
    batchFlags: flagsFor('procurement'),
    numberPrefix: 'TRF',
    procurementType: 'Transfer',
    preview: 'product_export',
    findPart: findTransferPart,
    partMissing: { push: 'transfer_not_in_export', onboarding: 'transfer_not_in_export' },
    quoteInDescriptionRefused: false,
    unpostedColumns: glListColumns,
  },
} as const satisfies Record<RecordType, RecordKind>;

/** Every record type, in the table's order (the API's enums and messages list them so). */
// Every record type, in the contract's order (the one runtime list: routes validate against it).
export { recordTypes };

/** The record types found in CW's GL export and booked as bills or journals: those of family `gl_record`. */
export type GlRecordType = {
  [T in RecordType]: (typeof recordKinds)[T] extends { family: 'gl_record' } ? T : never;
}[RecordType];

/** The part of CW's export a GL record type's finder answers. */
export type GlRecordPartOf<T extends GlRecordType> = NonNullable<
  ReturnType<(typeof recordKinds)[T]['findPart']>
>;

export const isGlRecordType = (type: RecordType): type is GlRecordType =>
  recordKinds[type].family === 'gl_record';

/** A GL record type's entry. */
export const glRecordKind = (type: GlRecordType): GlRecordKind => recordKinds[type];

/** The types of the invoice family, which CW keeps in one table with one id space. */
/** The invoice family's types (an invoice and a credit memo share CW's invoice list and numbers). */
export const invoiceTypes = recordTypes.filter((t) => recordKinds[t].family === 'invoice');

/**
 * The types that may name the same record: ConnectWise keeps invoices and credit memos in one table
 * with one id space, and a screen may not know which one it shows.
 */
export const typeFamily = (type: RecordType): RecordType[] =>
  recordKinds[type].family === 'invoice' ? invoiceTypes : [type];

/** An invoice-family record's type by CW's `invoiceType` (on an invoice, or a row of the unposted list). */
export const invoiceRecordType = (invoiceType: string | null | undefined): 'invoice' | 'credit_memo' =>
  invoiceType === 'CreditMemo' ? 'credit_memo' : 'invoice';

/** A GL record's number: `{prefix}-{cwId}` (see GlRecordKind.numberPrefix). */
export const glRecordNumber = (type: GlRecordType, cwId: number) =>
  `${recordKinds[type].numberPrefix}-${cwId}`;

/** How messages name a GL record: its kind's label and CW id ("Purchase 12"). */
export const glRecordLabel = (type: GlRecordType, cwId: number) => `${recordKinds[type].label} ${cwId}`;

/**
 * Whether an unposted procurement row is of this type: CW's one procurement list holds purchases,
 * adjustments and transfers under one id space. A row without a procurementType, and every expense,
 * count as the type asked for.
 */
export const listedAsType = (type: GlRecordType, procurementType: string | null | undefined) => {
  const wanted = recordKinds[type].procurementType;
  return !wanted || !procurementType || procurementType === wanted;
};

/** The GL record type of a row of CW's unposted procurement list, by its procurementType. */
export const procurementRecordType = (procurementType: string | null | undefined): GlRecordType | undefined =>
  recordTypes.find((t): t is GlRecordType => {
    const kind = recordKinds[t];
    return (
      kind.family === 'gl_record' &&
      kind.procurementType !== undefined &&
      kind.procurementType === procurementType
    );
  });
