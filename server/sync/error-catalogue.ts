import type { StoredError, UnmappedKey } from '../db/schema.js';

/**
 * Every error a record can end in: what happened (message), how to fix it (hint), and whether
 * trying again without a change can help (retryable). Messages take the specifics as `detail`.
 */
interface CatalogueEntry {
  message: (detail: string) => string;
  hint: string;
  retryable: boolean;
}

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
  document_number_too_long: entry(
    (d) => `The document number ${d} is too long for the ledger`,
    'QuickBooks Online allows 21 characters: shorten the invoice number prefix in ConnectWise.',
  ),
  item_code_too_long: entry(
    (d) => `The item code ${d} is too long for the ledger`,
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
  payment_on_closed_document: entry(
    (d) => `A payment cannot be applied: ${d}`,
    'The document is a draft, paid or voided in the ledger; check it there.',
  ),
  invoice_number_mismatch: entry(
    (d) => `The ledger document's number matches neither CW number: ${d}`,
    'Make the ledger document number equal to the ConnectWise invoice number.',
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
  cw_refused: entry(
    (d) => `ConnectWise refused the request: ${d}`,
    'Check the record in ConnectWise; the message says what it refused.',
  ),
} satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof errorCatalogue;

export function catalogueError(code: ErrorCode, detail: string): StoredError {
  const item = errorCatalogue[code];
  return { code, message: item.message(detail), hint: item.hint, retryable: item.retryable };
}

/** A failure the pipeline decided on: it parks the record in `error` (or retries when retryable). */
export class PipelineError extends Error {
  readonly stored: StoredError;
  constructor(code: ErrorCode, detail: string, extra: Pick<StoredError, 'unmapped'> = {}) {
    const stored = { ...catalogueError(code, detail), ...extra };
    super(stored.message);
    this.name = 'PipelineError';
    this.stored = stored;
  }
}

/**
 * A record whose mapping found problems: the first problem's code, every problem's detail, and each
 * CW code that lacks a mapping in the connection the record routes to, once, for an admin to map
 * where the failure shows.
 */
export function mappingFailure(
  problems: readonly { code: ErrorCode; detail: string; unmapped?: Omit<UnmappedKey, 'connectionId'> }[],
  connectionId: string,
): PipelineError {
  const unmapped = new Map<string, UnmappedKey>();
  for (const { unmapped: key } of problems)
    if (key?.cwKey) unmapped.set(`${key.kind}:${key.cwKey}`, { connectionId, ...key });
  return new PipelineError(
    problems[0]!.code,
    problems.map((p) => p.detail).join('; '),
    unmapped.size > 0 ? { unmapped: [...unmapped.values()] } : {},
  );
}
