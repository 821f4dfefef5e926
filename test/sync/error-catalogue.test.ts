import { describe, expect, it } from 'vitest';
import {
  ConnectWiseError,
  glTransactionSchema,
  unpostedProcurementSchema,
} from '../../server/connectwise/index.js';
import type { Party, SalesOrBillDocument } from '../../server/ledgers/ledger.js';
import { LedgerError, type LedgerErrorCode } from '../../server/ledgers/ledger-error.js';
import { toLedgerError as qboError } from '../../server/ledgers/quickbooks/errors.js';
import { QuickBooksMappingError, toQboSales } from '../../server/ledgers/quickbooks/mapping.js';
import { mappingError, toXeroDocument } from '../../server/ledgers/xero/mapping.js';
import {
  adjustmentJournalFromGl,
  transferJournalFromGl,
} from '../../server/pipeline/map/adjustments-and-transfers.js';
import { salesDocumentFromGl } from '../../server/pipeline/map/invoices-and-credits.js';
import { mapRecord } from '../../server/pipeline/push-gl-record.js';
import {
  catalogueError,
  type ErrorCode,
  errorCatalogue,
  hintForReader,
  mappingFailure,
  PipelineError,
} from '../../server/records/error-catalogue.js';
import { mappingsFrom } from '../../server/records/mappings.js';
import { storedErrorOf } from '../../server/records/stored-error.js';
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
  // Produced by refuseAsHistory (push-invoice.ts); test/sync/onboarding.test.ts drives it end to end.
  before_onboarding_cutoff: () =>
    storedErrorOf(
      new PipelineError('before_onboarding_cutoff', 'Invoice 1 (dated 2023-06-01, cutoff 2023-12-31)'),
    ).code,
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
  // A line taxed at level 1 but not level 2 of a two-level code (test/money/cw-tax-levels.test.ts).
  tax_levels_unsupported: () =>
    mappingCode(
      transaction({
        taxLevels: [
          { level: 1, percent: 5 },
          { level: 2, percent: 7 },
        ],
        lines: [
          { description: 'x', quantity: 1, unitPrice: 10 },
          { description: 'y', quantity: 1, unitPrice: 10, taxedAtLevels: [1] },
        ],
      }),
    ),
  ledger_tax_setup: () => {
    const result = salesDocumentFromGl(transaction({ taxRate: 8.25 }), {
      mappings: mapped,
      party,
      roundingLimit: '1',
    });
    if (!result.ok) return undefined;
    try {
      toQboSales(result.document, '1', { model: 'no_tax' });
    } catch (error) {
      return storedErrorOf(error).code;
    }
    return undefined;
  },
  mappings_missing: () =>
    storedErrorOf(
      mappingFailure(
        [
          { code: 'gl_account_unmapped', detail: 'x', unmapped: { kind: 'gl_account', cwKey: '4999' } },
          { code: 'tax_code_unmapped', detail: 'y', unmapped: { kind: 'tax_code', cwKey: 'County' } },
        ],
        'c1',
      ),
    ).code,
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
  // Before any write (record-steps.ts) and from the ledger's refusal; test/sync/locked-period.test.ts
  // drives both end to end.
  period_locked: () =>
    storedErrorOf(
      qboError({
        Fault: {
          Error: [
            { Message: 'Account Period Closed', Detail: 'The account period has closed', code: '6210' },
          ],
          type: 'ValidationFault',
        },
      }),
    ).code,
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
  cw_bad_response: () =>
    storedErrorOf(new ConnectWiseError('cw_bad_response', 'field total: expected number', { field: 'total' }))
      .code,
  not_unposted: () => storedErrorOf(new PipelineError('not_unposted', 'Expense 5')).code,
  record_busy: () => storedErrorOf(new PipelineError('record_busy', 'Record 1001')).code,
  negative_bill: () => storedErrorOf(new PipelineError('negative_bill', 'Purchase 7')).code,
  purchase_not_in_export: () =>
    storedErrorOf(
      catching(() =>
        mapRecord(
          'procurement',
          { purchaseTransactions: [{ id: 'PO #1, Packing Slip: 1', documentNumber: '1', total: 5 }] },
          unpostedProcurementSchema.parse({ id: 7, procurementType: 'Purchase', total: 6 }),
          { mappings: mapped, connection: { id: 'c' } },
          'PUR-7',
          '7',
          7,
          'Purchase 7',
        ),
      ),
    ).code,
  adjustment_entries_unknown: () => {
    const result = adjustmentJournalFromGl(
      { id: '8', adjustmentDetail: [{ total: 5, accountNumber: '4000', inventoryAccountNumber: '4000' }] },
      { mappings: mapped, number: 'ADJ-8', currency: 'USD', decimals: 2, description: 'count' },
    );
    return result.ok ? undefined : result.problems[0]!.code;
  },
  transfer_not_in_export: () =>
    storedErrorOf(
      catching(() =>
        mapRecord(
          'transfer',
          { inventoryTransfers: [{ id: '41', transferId: 8, total: 5, offset: { id: 42, total: -5 } }] },
          unpostedProcurementSchema.parse({ id: 7, procurementType: 'Transfer', total: 5 }),
          { mappings: mapped, connection: { id: 'c' } },
          'TRF-7',
          '7',
          7,
          'Inventory transfer 7',
        ),
      ),
    ).code,
  // An offset without its GL entry id: the transfer cannot be batched whole.
  transfer_entries_unknown: () => {
    const result = transferJournalFromGl(
      [
        {
          id: '41',
          transferId: 7,
          total: 5,
          accountNumber: '4000',
          offset: { total: -5, accountNumber: '4000' },
        },
      ],
      { mappings: mapped, number: 'TRF-7', currency: 'USD', decimals: 2, description: 'move' },
    );
    return result.ok ? undefined : result.problems[0]!.code;
  },
};

function catching(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

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

/** Two sentences run together, or a phrase said twice ("document number Document number"). */
const garbled = (message: string) => /[.!?]\s+\S/.test(message) || /\b(\w+ \w+) \1\b/i.test(message);

/** A real document from a real GL transaction, numbered `number`. */
const longDocument = (number: string): SalesOrBillDocument => {
  const result = salesDocumentFromGl(transaction({ number }), {
    mappings: mapped,
    party,
    roundingLimit: '10.00',
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.document;
};

describe('messages read as one sentence (issue 14 item 5)', () => {
  /** A word or a pair of words said twice in a row ("number Document number" is caught too). */
  const doubled = (text: string) => /\b(\w+)\s+\1\b/i.test(text) || /\b(\w+ \w+) \1\b/i.test(text);
  it.each(Object.keys(errorCatalogue) as ErrorCode[])(
    '%s: its message and its hint are one sentence each',
    (code) => {
      // A detail as the producers give one: a record named with a capital.
      const { message, hint } = catalogueError(code, 'Invoice INV-42');
      // The message is the sentence the pod shows as is (its full stop left to the hint, as a
      // ledger's own sentence is kept without it: firstSentence); no sentence runs on into another.
      expect(message).toMatch(/^[A-Z"]/);
      expect(message).not.toMatch(/[.!?]\s+\S/);
      expect(message).not.toMatch(/[.!?]$/);
      expect(doubled(message)).toBe(false);
      expect(hint).toMatch(/^[A-Z]/);
      expect(hint).toMatch(/[^.]\.$/);
      expect(hint).not.toMatch(/[.!?]\s+\S/);
      expect(doubled(hint!)).toBe(false);
      // What a viewer reads is one sentence too.
      const asViewer = hintForReader(catalogueError(code, 'Invoice INV-42'), 'viewer').hint!;
      expect(asViewer).not.toMatch(/[.!?]\s+\S/);
      expect(asViewer).toMatch(/\.$/);
    },
  );

  it('a document number too long for QuickBooks or Xero is named once, in one sentence', () => {
    // QuickBooks Online allows 21 characters, Xero 255.
    const failures = [
      { fail: () => toQboSales(longDocument('INV-2024-0000000000000001'), '1'), length: '25' },
      { fail: () => toXeroDocument(longDocument(`INV-${'9'.repeat(256)}`), 'contact-1'), length: '260' },
    ];
    for (const { fail, length } of failures) {
      let stored: ReturnType<typeof storedErrorOf> | undefined;
      try {
        fail();
      } catch (error) {
        stored = storedErrorOf(error);
      }
      expect(stored?.code).toBe('document_number_too_long');
      expect(stored!.message).toMatch(/^Document number/);
      expect(stored!.message).toContain(`${length} characters`);
      expect(garbled(stored!.message)).toBe(false);
    }
  });

  const glUnmapped = (cwKey: string, line: string) => ({
    code: 'gl_account_unmapped' as const,
    detail: `GL account "${cwKey}" (${line})`,
    unmapped: { kind: 'gl_account' as const, cwKey },
  });
  const countyUnmapped = {
    code: 'tax_code_unmapped' as const,
    detail: 'tax code "County"',
    unmapped: { kind: 'tax_code' as const, cwKey: 'County' },
  };
  it('codes unmapped on many lines are listed once each, with their kind', () => {
    const failure = mappingFailure(
      [
        glUnmapped('4999', 'a'),
        glUnmapped('4999', 'b'),
        glUnmapped('4100', 'c'),
        countyUnmapped,
        countyUnmapped,
      ],
      'c1',
    ).stored;
    expect(failure.code).toBe('mappings_missing');
    expect(failure.message).toBe(
      'Nothing in the ledger is mapped for GL accounts "4999" and "4100" and tax code "County"',
    );
    expect(failure.unmapped).toHaveLength(3);
    const one = mappingFailure([glUnmapped('4999', 'a'), glUnmapped('4999', 'b')], 'c1').stored;
    expect(one).toMatchObject({
      code: 'gl_account_unmapped',
      message: 'No ledger account is mapped for GL account "4999"',
    });
  });

  it('a hint names what this reader can do', () => {
    const unmapped = catalogueError('gl_account_unmapped', 'GL account "4999"');
    expect(hintForReader(unmapped, 'admin').hint).toBe(unmapped.hint);
    for (const role of ['accountant', 'viewer'] as const) {
      const hint = hintForReader(unmapped, role).hint!;
      expect(hint).toMatch(/^Ask a Ledgerpod admin to fix this/);
    }
    const notClosed = catalogueError('not_closed', 'Invoice 1');
    expect(hintForReader(notClosed, 'accountant').hint).toBe(notClosed.hint);
    expect(hintForReader(notClosed, 'viewer').hint).toMatch(/^Ask an accountant or a Ledgerpod admin/);
    const passing = catalogueError('cw_unavailable', 'timeout');
    expect(hintForReader(passing, 'viewer').hint).toBe(passing.hint);
  });
});
