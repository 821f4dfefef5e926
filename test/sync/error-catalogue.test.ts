import { describe, expect, it } from 'vitest';
import { ConnectWiseError, glTransactionSchema } from '../../server/connectwise/index.js';
import type { Party } from '../../server/ledgers/ledger.js';
import { LedgerError, type LedgerErrorCode } from '../../server/ledgers/ledger-error.js';
import { QuickBooksMappingError } from '../../server/ledgers/quickbooks/mapping.js';
import { mappingError } from '../../server/ledgers/xero/mapping.js';
import {
  catalogueError,
  type ErrorCode,
  errorCatalogue,
  PipelineError,
} from '../../server/sync/error-catalogue.js';
import { salesDocumentFromGl } from '../../server/sync/gl-to-document.js';
import { mappingsFrom } from '../../server/sync/mappings.js';
import { storedErrorOf } from '../../server/sync/stored-error.js';
import { buildInvoiceWithGl } from '../../sim/connectwise/index.js';

const party: Party = { kind: 'customer', cwId: '1', accountNumber: 'A', name: 'A', email: undefined };
const mapped = mappingsFrom([
  { kind: 'gl_account', cw_key: '4000', ledger_key: 'SALES' },
  { kind: 'tax_code', cw_key: 'State', ledger_key: 'TAX' },
]);
const transaction = (
  extra: Parameters<typeof buildInvoiceWithGl>[0] extends infer T ? Partial<T> : never = {},
) =>
  glTransactionSchema.parse(
    buildInvoiceWithGl({
      number: 'E-1',
      taxCode: { id: 1, name: 'State' },
      lines: [{ description: 'x', quantity: 1, unitPrice: 10 }],
      ...extra,
    }).glTransaction,
  );
const mappingCode = (t: ReturnType<typeof transaction>, mappings = mapped) => {
  const result = salesDocumentFromGl(t, { mappings, party, roundingLimit: '10.00' });
  return result.ok ? undefined : result.problems[0]!.code;
};

/**
 * How each catalogue code comes about; every code in the catalogue must appear here, so a code
 * nobody can produce (or a new one nobody tested) fails this suite.
 */
const producers: Record<ErrorCode, () => ErrorCode | string | undefined> = {
  cw_record_not_found: () => storedErrorOf(new ConnectWiseError('cw_not_found', 'no invoice 5')).code,
  not_closed: () => storedErrorOf(new PipelineError('not_closed', 'Invoice 1')).code,
  gl_entries_missing: () => mappingCode({ ...transaction(), glEntryIds: '', detail: [] }),
  invalid_batch_character: () => storedErrorOf(new PipelineError('invalid_batch_character', 'INV|1')).code,
  already_posted: () => storedErrorOf(new PipelineError('already_posted', 'Invoice 1')).code,
  batch_identifier_too_long: () =>
    storedErrorOf(new PipelineError('batch_identifier_too_long', 'x'.repeat(51))).code,
  gl_account_unmapped: () =>
    mappingCode(transaction(), mappingsFrom([{ kind: 'tax_code', cw_key: 'State', ledger_key: 'TAX' }])),
  tax_code_missing: () => {
    const t = transaction();
    t.detail = t.detail!.map((d) => ({ ...d, taxCodeXref: '' }));
    return mappingCode(t);
  },
  tax_code_unmapped: () => mappingCode(transaction({ taxCode: { id: 2, name: 'County' } })),
  class_unmapped: () => storedErrorOf(new PipelineError('class_unmapped', 'class Projects')).code,
  currency_missing: () => mappingCode({ ...transaction(), currency: undefined }),
  out_of_balance: () => mappingCode({ ...transaction(), total: 999 }),
  zero_total: () => storedErrorOf(new PipelineError('zero_total', 'Invoice 1')).code,
  negative_total: () => storedErrorOf(new PipelineError('negative_total', 'Invoice 1')).code,
  document_number_too_long: () =>
    storedErrorOf(
      new QuickBooksMappingError('document_number_too_long', 'DocNumber is 25 characters', 'shorten it'),
    ).code,
  item_code_too_long: () =>
    storedErrorOf(mappingError('Item code is 31 characters', 'item_code_too_long')).code,
  customer_missing_billing_contact: () =>
    storedErrorOf(new PipelineError('customer_missing_billing_contact', 'Acme')).code,
  no_ledger_connection: () => storedErrorOf(new PipelineError('no_ledger_connection', 'Invoice 1')).code,
  ledger_unauthorized: () => ledgerCode('ledger_unauthorized'),
  ledger_duplicate_number: () => ledgerCode('ledger_duplicate_number'),
  ledger_validation: () => ledgerCode('ledger_validation'),
  ledger_not_found: () => ledgerCode('ledger_not_found'),
  ledger_stale_version: () => ledgerCode('ledger_stale_version'),
  ledger_rate_limited: () => ledgerCode('ledger_rate_limited'),
  ledger_unavailable: () => ledgerCode('ledger_unavailable'),
  ledger_timeout: () => ledgerCode('ledger_timeout'),
  ledger_bad_response: () => ledgerCode('ledger_bad_response'),
  payment_on_closed_document: () =>
    storedErrorOf(new PipelineError('payment_on_closed_document', 'INV-1 is voided')).code,
  invoice_number_mismatch: () =>
    storedErrorOf(new PipelineError('invoice_number_mismatch', 'INV-1 vs 1001')).code,
  cw_unavailable: () =>
    storedErrorOf(new ConnectWiseError('cw_server_error', 'CW 503', { retryable: true })).code,
  cw_unauthorized: () =>
    storedErrorOf(new ConnectWiseError('cw_unauthorized', 'bad keys', { status: 401 })).code,
  cw_refused: () =>
    storedErrorOf(new ConnectWiseError('cw_invalid_request', 'bad batch', { status: 400 })).code,
  not_unposted: () => storedErrorOf(new PipelineError('not_unposted', 'Expense 5')).code,
  record_busy: () => storedErrorOf(new PipelineError('record_busy', 'Record 1001')).code,
  negative_bill: () => storedErrorOf(new PipelineError('negative_bill', 'Purchase 7')).code,
};

function ledgerCode(code: LedgerErrorCode): string {
  return storedErrorOf(new LedgerError({ code, providerMessage: 'provider says no', retryable: false })).code;
}

describe('error catalogue', () => {
  const codes = Object.keys(errorCatalogue) as ErrorCode[];

  it('has a producer for every code and no producer for a code it lacks', () => {
    expect(Object.keys(producers).sort()).toEqual([...codes].sort());
  });

  it.each(codes)('%s: produced where it arises, says what happened, why and how to fix it', (code) => {
    expect(producers[code]()).toBe(code);
    const stored = catalogueError(code, 'DETAIL-42');
    expect(stored.code).toBe(code);
    expect(stored.message).toContain('DETAIL-42');
    expect(stored.hint?.length ?? 0).toBeGreaterThan(15);
    expect(stored.hint).toMatch(/\.$/);
    expect(typeof stored.retryable).toBe('boolean');
  });

  it('keeps what the provider said, and whether a retry can help', () => {
    const stored = storedErrorOf(
      new LedgerError({
        code: 'ledger_rate_limited',
        providerMessage: 'ThrottleExceeded',
        retryable: true,
        retryAfterMs: 1000,
      }),
    );
    expect(stored).toMatchObject({ code: 'ledger_rate_limited', retryable: true });
    expect(stored.message).toContain('ThrottleExceeded');
    expect(
      storedErrorOf(new ConnectWiseError('cw_timeout', 'POST batches timed out', { ambiguous: true }))
        .retryable,
    ).toBe(true);
    expect(storedErrorOf(new Error('boom'))).toMatchObject({ code: 'internal', retryable: true });
  });
});
