import type { StoredError, UnmappedKey } from '../db/schema.js';
import { type CatalogueRef, CodedError } from '../shared/errors.js';

/**
 * Every error a record can end in: what happened (message), how to fix it (hint), and whether
 * trying again without a change can help (retryable). Messages take the specifics as `detail`.
 */
interface CatalogueEntry {
  message: (detail: string) => string;
  hint: string;
  retryable: boolean;
}

/** A ledger's own sentence as a message: its first sentence, without the full stop (hints say the rest). */
const firstSentence = (text: string) => text.split(/(?<=[.!?])\s+/)[0]!.replace(/[.!?]\s*$/, '');

const entry = (message: (detail: string) => string, hint: string, retryable = false): CatalogueEntry => ({
  message,
  hint,
  retryable,
});

export const errorCatalogue = {
  // ConnectWise side: the record itself
  cw_record_not_found: entry(
    (d) => `ConnectWise has no record ${d}`,
    'It may have been deleted in ConnectWise; refresh the list.',
  ),
  not_closed: entry(
    (d) => `${d} is not closed in ConnectWise, so it has no GL entries yet`,
    'Close the invoice in ConnectWise, then sync again.',
  ),
  gl_entries_missing: entry(
    (d) => `${d} has no GL entries in ConnectWise`,
    'Check the GL mappings in ConnectWise (Finance > GL Accounts) for every product and tax code on it, then re-close the record to regenerate its entries.',
  ),
  purchase_not_in_export: entry(
    (d) =>
      `${d}: ConnectWise's GL export shows no purchase with its PO number, vendor, vendor invoice number and total`,
    'Check the purchase order in ConnectWise (Procurement > Purchase Orders): the received items, vendor invoice number and total must match the unposted purchase; two receipts that look alike are pushed one at a time.',
  ),
  adjustment_entries_unknown: entry(
    (d) =>
      `${d}: ConnectWise's GL export names no GL entry ids for this inventory adjustment, so Ledgerpod cannot batch it`,
    "Post this adjustment from ConnectWise (Finance > Accounting Interface) and record it in the ledger by hand, as ConnectWise's API types give adjustment lines no GL entry id.",
  ),
  transfer_not_in_export: entry(
    (d) => `${d}: ConnectWise's GL export shows no inventory transfer with this transfer id`,
    'Check the transfer in ConnectWise (Procurement > Inventory > Transfers): it must be closed with GL entries; then sync again.',
  ),
  transfer_entries_unknown: entry(
    (d) =>
      `${d}: ConnectWise's GL export names no GL entry id for a line of this inventory transfer or its offset, so Ledgerpod cannot batch it`,
    'Post this transfer from ConnectWise (Finance > Accounting Interface) and record it in the ledger by hand.',
  ),
  invalid_batch_character: entry(
    (d) => `ConnectWise refuses to batch ${d}`,
    "Remove the ' or | character from the number or description in ConnectWise, then sync again.",
  ),
  already_posted: entry(
    (d) => `${d} is already in another ConnectWise accounting batch`,
    'Reverse that batch in ConnectWise (or with Reverse here) if it should be sent again.',
  ),
  not_unposted: entry(
    (d) => `${d} is not in ConnectWise's Accounting Interface as unposted`,
    'It may be posted in another batch, not yet approved and closed, or deleted; check the record in ConnectWise (reverse its batch to send it again), then sync again.',
  ),
  batch_identifier_too_long: entry(
    (d) => `The batch identifier ${d} is longer than ConnectWise's 50 characters`,
    'Use a shorter batch prefix in the Ledgerpod admin tab.',
  ),
  // Mapping
  gl_account_unmapped: entry(
    (d) => `No ledger account is mapped for ${d}`,
    'Map the GL account in the Ledgerpod admin tab (Mappings > GL accounts), then retry.',
  ),
  tax_code_missing: entry(
    (d) => `A tax code is missing: ${d}`,
    'Set a tax code on the invoice (or its lines) in ConnectWise, then re-close and retry.',
  ),
  tax_code_unmapped: entry(
    (d) => `No ledger tax code is mapped for ${d}`,
    'Map the tax code in the Ledgerpod admin tab (Mappings > Tax codes); create it in QuickBooks or Xero first if it does not exist.',
  ),
  tax_levels_unsupported: entry(
    (d) => `ConnectWise's multi-level tax cannot be booked as it is: ${d}`,
    'In ConnectWise, tax each line at every level of its tax code or at none (Finance > Tax Codes > levels), or map the levels to one combined ledger code (Mappings > Tax codes); then re-close the invoice and retry.',
  ),
  ledger_tax_setup: entry(
    (d) => `The ledger's tax setup cannot book ConnectWise's tax: ${d}`,
    'Turn sales tax on in the ledger or map the ConnectWise tax code to a ledger code with a sales rate (Mappings > Tax codes), then retry.',
  ),
  mappings_missing: entry(
    (d) => `Nothing in the ledger is mapped for ${d}`,
    'Map each of them in the Ledgerpod admin tab (Mappings), then retry.',
  ),
  class_unmapped: entry(
    (d) => `No class or tracking category is mapped for ${d}`,
    'Map it in the Ledgerpod admin tab (Mappings > Classes), or create it in the ledger.',
  ),
  currency_missing: entry((d) => `${d}`, 'Set the currency on the invoice in ConnectWise.'),
  out_of_balance: entry(
    (d) => `Out of balance after tax: ${d}`,
    'Check the tax rates in ConnectWise against the ledger, or raise the rounding limit in the admin tab if the difference is expected.',
  ),
  zero_total: entry(
    (d) => `${d} totals zero, so there is nothing to book`,
    'Add a priced line in ConnectWise, or batch it without posting using the onboarding sync.',
  ),
  negative_total: entry(
    (d) => `${d} has a negative total`,
    'Issue a credit memo in ConnectWise instead of a negative invoice.',
  ),
  negative_bill: entry(
    (d) => `${d} is a refund (negative total), which cannot be booked as a bill`,
    'Enter the refund as a vendor credit in QuickBooks Online or Xero by hand, then batch this record without posting using the onboarding sync.',
  ),
  // The ledger adapter names the number and the limit in a sentence of its own: it is the message.
  document_number_too_long: entry(
    (d) => firstSentence(d),
    'Shorten the invoice number (or its numbering prefix) in ConnectWise to fit the ledger, then retry.',
  ),
  item_code_too_long: entry(
    (d) => firstSentence(d),
    'Xero allows 30 characters: shorten the product identifier in ConnectWise or map it to a shorter item.',
  ),
  customer_missing_billing_contact: entry(
    (d) => `${d} has no billing contact`,
    'Set a billing contact on the company in ConnectWise, then retry.',
  ),
  // Ledger side
  no_ledger_connection: entry(
    (d) => `No QuickBooks Online or Xero connection books ${d}`,
    'An admin connects QuickBooks Online or Xero in the Ledgerpod admin tab (and routes this location to it).',
  ),
  ledger_unauthorized: entry(
    (d) => `The ledger refused our authorisation: ${d}`,
    'An admin reconnects QuickBooks Online or Xero in the Ledgerpod admin tab; nothing is lost meanwhile.',
  ),
  ledger_duplicate_number: entry(
    (d) => `The ledger already has a different document numbered ${d}`,
    'Rename or void the other document in QuickBooks Online or Xero, then retry.',
  ),
  ledger_validation: entry(
    (d) => `The ledger refused the document: ${d}`,
    'Fix what the ledger names (often a mapping or a missing account), then retry.',
  ),
  ledger_not_found: entry(
    (d) => `The ledger no longer has ${d}`,
    'It may have been deleted in the ledger; reverse the record and sync it again.',
  ),
  ledger_stale_version: entry(
    (d) => `The ledger document changed while we updated it: ${d}`,
    'Retry; Ledgerpod reads the latest version first.',
    true,
  ),
  ledger_rate_limited: entry(
    (d) => `The ledger asked us to slow down: ${d}`,
    'Nothing to do: Ledgerpod waits and retries on its own.',
    true,
  ),
  ledger_unavailable: entry(
    (d) => `The ledger is not answering: ${d}`,
    'Nothing to do: Ledgerpod retries on its own.',
    true,
  ),
  ledger_timeout: entry(
    (d) => `The ledger did not answer in time: ${d}`,
    'Nothing to do: Ledgerpod retries on its own, without creating a duplicate.',
    true,
  ),
  ledger_bad_response: entry(
    (d) => `The ledger answered something unexpected: ${d}`,
    'Retry later; if it persists, report it with the record number.',
    true,
  ),
  // Locked periods (books-lock.ts): checked before any write, and the ledger's own refusal alike
  period_locked: entry(
    (d) => `The books are locked for this date: ${d}`,
    'Reopen the period in the books (QuickBooks Online: Settings > Account and settings > Advanced > Close the books; Xero: Accounting > Advanced > Financial settings > Lock dates) or re-date the record into an open period in ConnectWise (reopen it, change its date, close it again), then sync again; nothing was booked and no ConnectWise batch was made.',
  ),
  payment_on_closed_document: entry(
    (d) => `A payment cannot be applied: ${d}`,
    'The document is a draft, paid or voided in the ledger; check it there.',
  ),
  invoice_number_mismatch: entry(
    (d) => `The ledger document's number matches neither CW number: ${d}`,
    'Make the ledger document number equal to the ConnectWise invoice number.',
  ),
  // Onboarded history (issue 14): records the tenant's onboarding run treats as already in the books
  before_onboarding_cutoff: entry(
    (d) => `${d} is dated on or before the onboarding cutoff, so it counts as history already in the books`,
    'Nothing is booked: an admin chooses "Book this old record" if it truly is missing from QuickBooks Online or Xero.',
  ),
  // The pipeline itself
  record_busy: entry(
    (d) => `${d} was moved on by another run of its push while this one worked on it`,
    'Nothing to do: Ledgerpod checks the record again and finishes whatever is left.',
    true,
  ),
  // ConnectWise transport
  cw_unavailable: entry(
    (d) => `ConnectWise is not answering: ${d}`,
    'Nothing to do: Ledgerpod retries on its own.',
    true,
  ),
  cw_unauthorized: entry(
    (d) => `ConnectWise refused the API member keys: ${d}`,
    'An admin updates the ConnectWise API member keys of this tenant.',
  ),
  cw_bad_response: entry(
    (d) => `ConnectWise answered in a form Ledgerpod cannot read: ${d}`,
    'Report it with the record number: the field named is one Ledgerpod uses and ConnectWise sent it unlike its own API types say (connectwise-rest ManageTypes; fields Ledgerpod does not use are never checked), so nothing was written on the strength of it.',
  ),
  cw_refused: entry(
    (d) => `ConnectWise refused the request: ${d}`,
    'Check the record in ConnectWise; the message says what it refused.',
  ),
} satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof errorCatalogue;

const onboardAgain = 'then press Onboard again: it is batched without posting, so nothing reaches the books.';

/**
 * How to fix a record that failed onboarding. Onboarding never pushes, so "sync again" or "retry"
 * would send a years-old record to the books: its fix ends in onboarding it again instead.
 */
const onboardingHints: Partial<Record<ErrorCode, string>> = {
  gl_entries_missing: `Check the GL mappings in ConnectWise (Finance > GL Accounts) for every product and tax code on it and re-close the record to regenerate its entries, ${onboardAgain}`,
  invalid_batch_character: `Remove the ' or | character from the number or description in ConnectWise, ${onboardAgain}`,
  batch_identifier_too_long: `Shorten the record's number in ConnectWise (or start a new onboarding run with a shorter batch prefix), ${onboardAgain}`,
  not_unposted: `Check the record in ConnectWise (it may be in another batch, not closed or deleted), ${onboardAgain}`,
  cw_refused: `Fix what ConnectWise names on the record, ${onboardAgain}`,
  cw_record_not_found: 'It may have been deleted in ConnectWise; nothing is left to onboard.',
};

/** A failure met while onboarding, with the hint worded for onboarding (see onboardingHints). */
export function asOnboardingFailure(error: StoredError): StoredError {
  const hint = onboardingHints[error.code as ErrorCode];
  return hint ? { ...error, hint } : error;
}

export function catalogueError(code: ErrorCode, detail: string): StoredError {
  const item = errorCatalogue[code];
  return { code, message: item.message(detail), hint: item.hint, retryable: item.retryable };
}

/** A failure the pipeline decided on: it parks the record in `error` (or retries when retryable). */
export class PipelineError extends CodedError {
  declare readonly code: ErrorCode;
  /** Decided when thrown, with the CW codes a mapping failure lacks (storedErrorOf returns it as is). */
  readonly stored: StoredError;
  private readonly detail: string;
  constructor(code: ErrorCode, detail: string, extra: Pick<StoredError, 'unmapped'> = {}) {
    const stored = { ...catalogueError(code, detail), ...extra };
    super(code, stored.message, { hint: stored.hint, retryable: stored.retryable });
    this.name = 'PipelineError';
    this.stored = stored;
    this.detail = detail;
  }

  override catalogued(): CatalogueRef {
    return { code: this.code, detail: this.detail };
  }
}

/** Who can fix a failure: an admin (in the admin tab), someone in ConnectWise or the books, or nobody (it retries). */
type FixedBy = 'admin' | 'records' | 'nobody';
const fixedByAdmin = new Set<ErrorCode>([
  'batch_identifier_too_long',
  'gl_account_unmapped',
  'tax_code_unmapped',
  'mappings_missing',
  'ledger_tax_setup',
  'class_unmapped',
  'out_of_balance',
  'item_code_too_long',
  'no_ledger_connection',
  'ledger_unauthorized',
  'cw_unauthorized',
  'before_onboarding_cutoff',
]);
const fixedBy = (error: StoredError): FixedBy =>
  error.retryable ? 'nobody' : fixedByAdmin.has(error.code as ErrorCode) ? 'admin' : 'records';

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/**
 * The hint as this reader can act on it: an admin or an accountant is told what to do; a reader who
 * cannot do it (an accountant for an admin's fix, a viewer for anything) is told whom to ask, with
 * what needs doing, instead of being sent to a tab they cannot open.
 */
export function hintForReader(error: StoredError, role: 'viewer' | 'accountant' | 'admin'): StoredError {
  if (!error.hint) return error;
  const who = fixedBy(error);
  if (who === 'nobody' || role === 'admin' || (role === 'accountant' && who === 'records')) return error;
  const ask = who === 'admin' ? 'Ask a Ledgerpod admin' : 'Ask an accountant or a Ledgerpod admin';
  return { ...error, hint: `${ask} to fix this; what needs doing: ${lowerFirst(error.hint)}` };
}

const kindLabel: Record<UnmappedKey['kind'], [string, string]> = {
  gl_account: ['GL account', 'GL accounts'],
  tax_code: ['tax code', 'tax codes'],
};

/** "a", "a and b", "a, b and c". */
const listed = (items: string[]) =>
  items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

/** Unmapped codes named once each, grouped by kind: GL accounts "4000" and "4100" and tax code "State". */
function unmappedPhrase(keys: Omit<UnmappedKey, 'connectionId'>[]): string {
  const kinds = [...new Set(keys.map((k) => k.kind))];
  return listed(
    kinds.map((kind) => {
      const codes = keys.filter((k) => k.kind === kind).map((k) => `"${k.cwKey}"`);
      return `${kindLabel[kind][codes.length === 1 ? 0 : 1]} ${listed(codes)}`;
    }),
  );
}

/**
 * A record whose mapping found problems, in one sentence: each CW code that lacks a mapping named
 * once with its kind (however many lines use it), then any other problem once; the first problem's
 * code (mappings_missing when codes of several kinds lack one), and each unmapped code, once, for an
 * admin to map where the failure shows.
 */
export function mappingFailure(
  problems: readonly { code: ErrorCode; detail: string; unmapped?: Omit<UnmappedKey, 'connectionId'> }[],
  connectionId: string,
): PipelineError {
  const unmapped = new Map<string, UnmappedKey>();
  for (const { unmapped: key } of problems)
    if (key?.cwKey) unmapped.set(`${key.kind}:${key.cwKey}`, { connectionId, ...key });
  const keys = [...unmapped.values()];
  const others = [...new Set(problems.filter((p) => !p.unmapped?.cwKey).map((p) => p.detail))];
  const extra = keys.length > 0 ? { unmapped: keys } : {};
  if (keys.length === 0) return new PipelineError(problems[0]!.code, others.join('; '), extra);
  const kinds = new Set(keys.map((k) => k.kind));
  const code: ErrorCode =
    kinds.size > 1
      ? 'mappings_missing'
      : keys[0]!.kind === 'tax_code'
        ? 'tax_code_unmapped'
        : 'gl_account_unmapped';
  return new PipelineError(code, [unmappedPhrase(keys), ...others].join('; '), extra);
}
