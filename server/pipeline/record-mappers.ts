import type { LedgerConnection } from '../db/schema.js';
import { bookingOptionsFor } from '../ledgers/amount-precision.js';
import type { LedgerDocument } from '../ledgers/ledger.js';
import { mappingFailure } from '../records/error-catalogue.js';
import type { Mappings } from '../records/mappings.js';
import type { GlRecordPartOf, GlRecordType } from '../records/record-kinds.js';
import { adjustmentJournalFromGl, transferJournalFromGl } from './map/adjustments-and-transfers.js';
import {
  companyExpenseJournalFromGl,
  expenseBillFromGl,
  purchaseBillFromGl,
} from './map/expenses-and-purchases.js';
import type { OtherResult } from './map/mapping-result.js';
import type { RoundingNote } from './map/rounding.js';

/** A GL record mapped: its ledger document and the GL entry ids its batch names. */
export interface Mapped {
  document: LedgerDocument;
  glEntryIds: number[];
  /** A bill's or journal's rounding, said on the record as an invoice's is. */
  rounding?: RoundingNote;
}

/** What every GL record's mapper is given besides its part of the export. */
export interface MapInput {
  mappings: Mappings;
  /** The connection the record routes to: its kind and tax setup decide how bills are coded and rounded (bookingOptionsFor). */
  connection: Pick<LedgerConnection, 'id'> & Partial<Pick<LedgerConnection, 'kind' | 'tax_setup'>>;
  /** The record's number (records/record-kinds.ts glRecordNumber). */
  number: string;
  /** The currency CW's unposted list gives the record. */
  currency: { currencyCode?: string; numberOfDecimals?: number } | undefined;
  /** The description CW's unposted procurement list gives it (none for expenses). */
  description: string | undefined;
  /** The tenant's rounding limit: bills get the same allowance as invoices. */
  roundingLimit: string | undefined;
}

type GlRecordMapper<T extends GlRecordType> = (part: GlRecordPartOf<T>, input: MapInput) => Mapped;

/** The mapped document, or the mapping failure that names what to map in the connection. */
function mapped<D extends LedgerDocument>(
  result: OtherResult<D>,
  connectionId: string,
  glEntryIds: number[],
): Mapped {
  if (!result.ok) throw mappingFailure(result.problems, connectionId);
  return { document: result.document, glEntryIds, ...(result.rounding ? { rounding: result.rounding } : {}) };
}

/** A journal's figures finer than the currency are booked at the books' precision, and said. */
const ledgerDecimalsOf = (input: MapInput, journalCurrency: string | undefined) =>
  bookingOptionsFor(input.connection, journalCurrency).ledgerDecimals;

const mapExpense: GlRecordMapper<'expense'> = (part, input) => {
  const { mappings, number, connection } = input;
  if (part.shape === 'company_paid') {
    const ledgerDecimals = ledgerDecimalsOf(input, part.expense.currency?.currencyCode);
    return mapped(
      companyExpenseJournalFromGl(part.expense, { mappings, number, ledgerDecimals }),
      connection.id,
      part.glEntryIds,
    );
  }
  const booking = bookingOptionsFor(
    connection,
    part.bill.currency?.currencyCode ?? input.currency?.currencyCode,
  );
  return mapped(
    expenseBillFromGl(part.bill, { mappings, number, roundingLimit: input.roundingLimit, ...booking }),
    connection.id,
    part.glEntryIds,
  );
};

const mapPurchase: GlRecordMapper<'procurement'> = (part, input) => {
  const booking = bookingOptionsFor(
    input.connection,
    part.purchase.currency?.currencyCode ?? input.currency?.currencyCode,
  );
  return mapped(
    purchaseBillFromGl(part.purchase, {
      mappings: input.mappings,
      number: part.purchase.vendorInvoiceNumber || input.number,
      fallbackCurrency: input.currency?.currencyCode,
      roundingLimit: input.roundingLimit,
      ...booking,
    }),
    input.connection.id,
    part.glEntryIds,
  );
};

const mapAdjustment: GlRecordMapper<'adjustment'> = (part, input) =>
  mapped(
    adjustmentJournalFromGl(part.adjustment, {
      mappings: input.mappings,
      number: input.number,
      currency: input.currency?.currencyCode ?? 'USD',
      decimals: input.currency?.numberOfDecimals ?? 2,
      description: input.description ?? part.adjustment.adjustmentDescription ?? '',
      ledgerDecimals: ledgerDecimalsOf(input, input.currency?.currencyCode),
    }),
    input.connection.id,
    part.glEntryIds,
  );

const mapTransfer: GlRecordMapper<'transfer'> = (part, input) => {
  const lineCurrency = part.lines[0]?.currency;
  return mapped(
    transferJournalFromGl(part.lines, {
      mappings: input.mappings,
      number: input.number,
      currency: input.currency?.currencyCode ?? lineCurrency?.currencyCode ?? 'USD',
      decimals: input.currency?.numberOfDecimals ?? lineCurrency?.numberOfDecimals ?? 2,
      description: input.description ?? '',
      ledgerDecimals: ledgerDecimalsOf(input, input.currency?.currencyCode ?? lineCurrency?.currencyCode),
    }),
    input.connection.id,
    part.glEntryIds,
  );
};

/**
 * Each GL record type's mapper: its part of CW's export (found by its kind's findPart) as a ledger
 * bill or journal. A new GL record type is an entry in records/record-kinds.ts, one here and the
 * mapper's file in map/.
 */
const glRecordMappers: { [T in GlRecordType]: GlRecordMapper<T> } = {
  expense: mapExpense,
  procurement: mapPurchase,
  adjustment: mapAdjustment,
  transfer: mapTransfer,
};

/** Maps a GL record's part with its type's mapper. The part must be the one its kind's findPart answered. */
export const mapGlRecordPart = (
  type: GlRecordType,
  part: GlRecordPartOf<GlRecordType>,
  input: MapInput,
): Mapped => (glRecordMappers[type] as GlRecordMapper<GlRecordType>)(part, input);
