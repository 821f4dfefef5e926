import type { StoredError } from '../db/schema.js';
import { CodedError } from '../shared/errors.js';
import { catalogueError, type ErrorCode, errorCatalogue, PipelineError } from './error-catalogue.js';

const inCatalogue = (code: string | undefined): code is ErrorCode =>
  code !== undefined && code in errorCatalogue;

/**
 * What a failure means for the record: a catalogue entry with its hint, and whether a retry can
 * help. Each boundary decided that when it threw (CodedError.catalogued: the ConnectWise client,
 * the ledger clients, the routes); this only looks the entry up. Unknown errors are treated as
 * retryable: a bug or a passing fault should not park a record for good.
 */
export function storedErrorOf(error: unknown): StoredError {
  // The pipeline's own failures were made from the catalogue, with the unmapped codes they name.
  if (error instanceof PipelineError) return error.stored;
  if (error instanceof CodedError) {
    const { code, otherwise, detail, retryable, hint } = error.catalogued();
    const entry = inCatalogue(code) ? code : inCatalogue(otherwise) ? otherwise : undefined;
    if (entry) {
      const stored = catalogueError(entry, detail);
      return {
        ...stored,
        ...(retryable !== undefined ? { retryable } : {}),
        ...(hint !== undefined ? { hint } : {}),
      };
    }
  }
  return {
    code: 'internal',
    message: `Unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
    hint: 'Ledgerpod retries on its own; if it keeps failing, report it with the record number.',
    retryable: true,
  };
}
