import type { ConnectWiseClient } from '../connectwise/index.js';
import { ConnectWiseError } from '../connectwise/index.js';
import type { LedgerConnection, RecordRow } from '../db/schema.js';
import { booksLockSourceOf } from '../ledgers/books-lock.js';
import type { Ledger, LedgerDocument, LedgerDocumentRef } from '../ledgers/ledger.js';
import { LedgerError } from '../ledgers/ledger-error.js';
import { PipelineError } from '../records/error-catalogue.js';
import { ledgerColumns } from '../records/ledger-amounts.js';
import type { RecordStore } from '../records/record-store.js';
import { sameMinor } from '../shared/money.js';
import type { RoundingNote } from './map/rounding.js';

/**
 * The steps every record type shares once its document is mapped: the ledger document, once, and
 * the record's own CW batch, once. push-invoice.ts and push-gl-record.ts differ only before them.
 */

export const batchIdentifierFor = (prefix: string, number: string) => `${prefix}${number}`;

/** The key every ledger write of this record carries: the same on every retry of one push generation. */
export const ledgerKeyFor = (record: RecordRow, step: string) => `lp-${record.id}-v${record.version}-${step}`;

/** What a journal is worth for comparing with a document found by its number: its debits. */
const comparableTotal = (document: LedgerDocument) =>
  document.type === 'journal'
    ? document.lines.reduce((sum, l) => (l.amountMinor > 0n ? sum + l.amountMinor : sum), 0n)
    : document.totalMinor;

/** The kinds of audit event that precede every ledger create of a record (push-invoice, push-gl-record). */
export const exportEventKinds = ['exported'];

/**
 * Sales documents: the types whose numbers both ledgers refuse to repeat (QBO 6140, Xero "must be
 * unique"). A bill's number is the supplier's reference and a journal has none, so those are
 * always looked up first.
 */
const uniquelyNumbered = new Set<LedgerDocument['type']>(['invoice', 'credit_memo']);

/**
 * Whether to look the number up before creating. Pure. The look-up is skipped only when the
 * record's persisted history shows no earlier export (`neverExported`), so no earlier attempt can
 * have sent a create, and the ledger refuses a repeated number: a same-number document can then
 * only be someone else's, and the create's duplicate-number refusal sends us to the look-up after
 * all. The create still carries the record's key, so a concurrent second attempt gets the first
 * one's answer rather than a second document.
 */
export const lookUpBeforeCreate = (type: LedgerDocument['type'], neverExported: boolean): boolean =>
  !neverExported || !uniquelyNumbered.has(type);

/**
 * Creates the ledger document once: an earlier push generation's document is updated in place; a
 * live document already carrying this number is adopted only when it is ours (same total), never
 * doubled. `history.neverExported` (from the record's events, read before this attempt's export)
 * lets a first create skip the look-up by number.
 */
export async function pushLedgerDocument(
  ledger: Ledger,
  record: RecordRow,
  document: LedgerDocument,
  label: string,
  history: { neverExported: boolean } = { neverExported: false },
): Promise<LedgerDocumentRef> {
  await refuseIntoLockedPeriod(ledger, document, label);
  try {
    return await writeLedgerDocument(ledger, record, document, label, history);
  } catch (error) {
    // The ledger refused it as locked after all (the lock moved since it was read): the same error.
    if (error instanceof LedgerError && error.code === 'period_locked')
      throw new PipelineError(
        'period_locked',
        `${label} is dated ${document.date.slice(0, 10)}; the ledger refused it: ${error.providerMessage}`,
      );
    throw error;
  }
}

/**
 * Refuses a document dated in the period the books lock before any ledger write (party included)
 * and so before any CW batch, which follows the ledger document. A refusal is made on a recent read
 * only (books-lock.ts lockOn): a lock lifted since the kept read would otherwise refuse what the
 * books now take.
 */
async function refuseIntoLockedPeriod(ledger: Ledger, document: LedgerDocument, label: string) {
  const date = document.date.slice(0, 10);
  const lock = await booksLockSourceOf(ledger)?.lockOn(date, `${document.type}:${document.number}`);
  if (!lock) return;
  throw new PipelineError(
    'period_locked',
    `${label} is dated ${date}, on or before ${lock.what}, ${lock.through}`,
  );
}

async function writeLedgerDocument(
  ledger: Ledger,
  record: RecordRow,
  document: LedgerDocument,
  label: string,
  history: { neverExported: boolean },
): Promise<LedgerDocumentRef> {
  const partyId =
    document.type === 'journal'
      ? undefined
      : await ledger.ensureParty(
          document.party,
          `lp-party-${record.tenant_id.slice(0, 8)}-${document.party.kind}-${document.party.cwId}`,
        );
  if (record.ledger_id) {
    const existing = await ledger.get(document.type, record.ledger_id);
    return ledger.update(existing, document, partyId, ledgerKeyFor(record, 'update'));
  }
  const findOurs = async () => {
    const found = (await ledger.findByNumbers(document.type, [document.number])).get(document.number);
    if (!found || found.status === 'deleted' || found.status === 'voided') return undefined;
    if (sameMinor(found.totalMinor, found.decimals, comparableTotal(document), document.decimals))
      return found;
    throw new PipelineError('ledger_duplicate_number', `${document.number} (${label})`);
  };
  const lookedUp = lookUpBeforeCreate(document.type, history.neverExported);
  if (lookedUp) {
    const ours = await findOurs();
    if (ours) return ours;
  }
  try {
    return await ledger.create(document, partyId, ledgerKeyFor(record, 'doc'));
  } catch (error) {
    if (lookedUp || !(error instanceof LedgerError) || error.code !== 'ledger_duplicate_number') throw error;
    // The number is taken although we never sent a create for it: adopt it as before, or refuse.
    const ours = await findOurs();
    if (ours) return ours;
    throw error;
  }
}

/** Stores the ledger document on the record: state `pushed`. */
export function recordPushed(
  records: RecordStore,
  record: RecordRow,
  connection: LedgerConnection,
  ledger: Ledger,
  ref: LedgerDocumentRef,
  actor: string,
  /** The document's rounding, if any: stored on the record (cleared on a push without). */
  rounding?: RoundingNote,
): Promise<RecordRow> {
  const columns = ledgerColumns(ref, record.decimals);
  return records.advance(record, {
    to: 'pushed',
    set: {
      rounding: rounding ? JSON.stringify(rounding) : null,
      connection_id: connection.id,
      ledger_kind: ledger.kind,
      ledger_id: ref.id,
      ledger_number: ref.number,
      ...columns,
      ledger_url: ref.url ?? null,
    },
    actor,
    kind: 'ledger_document',
    detail: {
      documentType: ref.type,
      ledgerId: ref.id,
      ledgerNumber: ref.number,
      idempotencyKey: ledgerKeyFor(record, 'doc'),
      // The total the books answered for what Ledgerpod wrote (in CW's decimals): the drift check
      // tells by it which side changed a total afterwards (server/reconcile/drift.ts).
      bookedTotalMinor: columns.ledger_total_minor,
      ...(rounding ? { rounding: rounding.message } : {}),
    },
  });
}

/** The batch found in CW for a record that CW shows as posted already: ours, or someone else's. */
export async function adoptOwnBatch(
  deps: { records: RecordStore; cw: ConnectWiseClient; actor: string },
  record: RecordRow,
  identifier: string,
  label: string,
  postedError: 'already_posted' | 'not_unposted',
  /** Our batch, when the caller has just found it (invoice-posting.ts): not looked up twice. */
  found?: { id: number },
): Promise<RecordRow> {
  // Posted by us when the answer to our batch call was lost; by someone else otherwise.
  const batch = found ?? (await deps.cw.findBatch(identifier));
  if (batch && record.ledger_id) {
    return deps.records.advance(record, {
      to: 'synced',
      set: { cw_batch_id: String(batch.id), cw_batch_identifier: identifier, last_error: null },
      actor: deps.actor,
      kind: 'batch_found',
      detail: { batchId: batch.id, batchIdentifier: identifier },
    });
  }
  throw new PipelineError(postedError, label);
}

/**
 * The record's own CW batch. A batch made by an earlier attempt whose answer was lost shows as the
 * record being posted when the push starts (see adoptOwnBatch); here CW is asked once more, just
 * before committing, whether the record is still unposted, since someone may batch it meanwhile.
 */
export async function commitBatch(
  deps: { records: RecordStore; cw: ConnectWiseClient; actor: string },
  record: RecordRow,
  batch: {
    identifier: string;
    label: string;
    stillUnposted: () => Promise<boolean>;
    postedError: 'already_posted' | 'not_unposted';
    flags: { exportInvoicesFlag: boolean; exportExpensesFlag: boolean; exportProductsFlag: boolean };
  },
): Promise<RecordRow> {
  if (!(await batch.stillUnposted())) throw new PipelineError(batch.postedError, batch.label);
  let batchId: number | undefined;
  try {
    await deps.cw.createBatch({
      batchIdentifier: batch.identifier,
      processedRecordIds: record.gl_entry_ids.map(Number),
      ...batch.flags,
    });
  } catch (error) {
    // Refused as already used: an earlier attempt's batch landed after we looked. Ours if it exists.
    if (!(error instanceof ConnectWiseError && error.code === 'cw_invalid_request')) throw error;
    batchId = (await deps.cw.findBatch(batch.identifier))?.id;
    if (batchId === undefined) throw error;
  }
  return deps.records.advance(record, {
    to: 'synced',
    // CW answers a new batch without its id; the identifier finds it when it is needed (reversal).
    set: {
      cw_batch_id: batchId === undefined ? null : String(batchId),
      cw_batch_identifier: batch.identifier,
      last_error: null,
    },
    actor: deps.actor,
    kind: 'batched',
    detail: { batchIdentifier: batch.identifier },
  });
}
