import { ConnectWiseError } from '../connectwise/index.js';
import type { StoredError } from '../db/schema.js';
import { LedgerError } from '../ledgers/ledger-error.js';
import { catalogueError, type ErrorCode, errorCatalogue, PipelineError } from './error-catalogue.js';

/** Ledger mapping errors (a number too long for the target, ...) carry a catalogue code of their own. */
interface CodedError {
  code: string;
  message: string;
}

const isCoded = (error: unknown): error is CodedError =>
  error instanceof Error && typeof (error as { code?: unknown }).code === 'string';

/**
 * Decides, at the pipeline's boundary, what a failure means for the record: a catalogue entry with
 * its hint, and whether a retry can help. Unknown errors are treated as retryable: a bug or a
 * passing fault should not park a record for good.
 */
export function storedErrorOf(error: unknown): StoredError {
  if (error instanceof PipelineError) return error.stored;
  if (error instanceof LedgerError) {
    // A ledger that refused a document before sending it names the catalogue entry itself.
    const code =
      error.providerCode && error.providerCode in errorCatalogue
        ? (error.providerCode as ErrorCode)
        : error.code;
    const stored = catalogueError(code, error.providerMessage);
    return { ...stored, retryable: error.retryable };
  }
  if (error instanceof ConnectWiseError) {
    if (error.code === 'cw_unauthorized' || error.code === 'cw_forbidden')
      return catalogueError('cw_unauthorized', error.message);
    if (error.code === 'cw_bad_response') {
      const stored = catalogueError('cw_bad_response', error.message);
      // A 2xx answer to a write took effect; the next try finds what it made before doing anything.
      return error.ambiguous
        ? {
            ...stored,
            retryable: true,
            hint: 'Nothing to do: what ConnectWise did is looked up again before Ledgerpod goes on, so nothing is made twice.',
          }
        : stored;
    }
    if (error.retryable || error.ambiguous)
      return { ...catalogueError('cw_unavailable', error.message), retryable: true };
    if (error.code === 'cw_not_found') return catalogueError('cw_record_not_found', error.message);
    return catalogueError(
      'cw_refused',
      [error.message, ...error.errors.map((e) => e.message ?? '')].filter(Boolean).join('; '),
    );
  }
  if (isCoded(error) && error.code in errorCatalogue)
    return catalogueError(error.code as ErrorCode, error.message);
  return {
    code: 'internal',
    message: `Unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
    hint: 'Ledgerpod retries on its own; if it keeps failing, report it with the record number.',
    retryable: true,
  };
}
