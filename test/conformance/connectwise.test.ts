import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { isMemberAuthentication, parseIncoming } from '../../pod-ui/src/hosted/protocol.js';
import { verifyCallbackSignature } from '../../server/connectwise/callback-signature.js';
import { errorFromResponse } from '../../server/connectwise/errors.js';
import {
  accountingBatchSchema,
  billingTermSchema,
  callbackEntrySchema,
  companyInfoSchema,
  companySchema,
  countSchema,
  createdSchema,
  glAccountSchema,
  glExportSchema,
  hostedSetupSchema,
  invoiceSchema,
  memberSchema,
  paymentSchema,
  securityRoleSchema,
  taxCodeSchema,
  unpostedExpenseSchema,
  unpostedInvoiceSchema,
  unpostedProcurementSchema,
} from '../../server/connectwise/schemas.js';
import { purchaseBillFromGl } from '../../server/pipeline/map/expenses-and-purchases.js';
import { salesDocumentFromGl } from '../../server/pipeline/map/invoices-and-credits.js';
import { mappingsFrom } from '../../server/records/mappings.js';
import { body, filesMatching, rawText } from './support/corpus.js';

/** Which of the product's boundary schemas reads each ConnectWise answer in the corpus. */
const schemaFor: [RegExp, z.ZodType, 'one' | 'list'][] = [
  [/^gl-export-/, glExportSchema, 'one'],
  [/^invoices-get/, invoiceSchema, 'list'],
  [/^batches-get/, accountingBatchSchema, 'list'],
  [/^members-get/, memberSchema, 'list'],
  [/^member-get/, memberSchema, 'one'],
  [/^companies-get/, companySchema, 'list'],
  [/^company-get/, companySchema, 'one'],
  [/^company-info-get/, companyInfoSchema, 'one'],
  [/^hosted-setups-get/, hostedSetupSchema, 'list'],
  [/^callback-entry/, callbackEntrySchema, 'one'],
  [/^members-count/, countSchema, 'one'],
  [/^my-members-info-get/, memberSchema, 'one'],
  [/^unposted-invoices-get/, unpostedInvoiceSchema, 'list'],
  [/^unposted-expenses-get/, unpostedExpenseSchema, 'list'],
  [/^unposted-procurement-get/, unpostedProcurementSchema, 'list'],
  [/^invoice-payments-get/, paymentSchema, 'list'],
  [/^invoice-payment-post\.201/, createdSchema, 'one'],
  [/^gl-accounts-get/, glAccountSchema, 'list'],
  [/^tax-codes-get/, taxCodeSchema, 'list'],
  [/^billing-terms-get/, billingTermSchema, 'list'],
  [/^security-roles-get/, securityRoleSchema, 'list'],
];

describe('ConnectWise corpus through the product’s boundary', () => {
  const answers = filesMatching('connectwise', /\.(json|xml)$/).flatMap((file) => {
    const name = file.slice('connectwise/'.length);
    const match = schemaFor.find(([pattern]) => pattern.test(name));
    return match ? [[file, match[1], match[2]] as const] : [];
  });

  it('has a schema for every REST answer in the corpus', () => {
    expect(answers.length).toBeGreaterThanOrEqual(21);
  });

  it.each(answers)('%s is read by the product’s zod schema', (file, schema, shape) => {
    const value = body(file);
    const items = shape === 'list' ? (value as unknown[]) : [value];
    if (shape === 'list') expect(Array.isArray(value)).toBe(true);
    for (const item of items) {
      const parsed = schema.safeParse(item);
      expect(parsed.success ? [] : parsed.error.issues, file).toEqual([]);
    }
  });

  it('a real invoice GL export maps to a balanced document (revenue credits negative, total positive)', () => {
    const exported = glExportSchema.parse(body('connectwise/gl-export-invoices.zynk.xml'));
    const transaction = exported.transactions![0]!;
    // The sample's customer has no currency; the export's documents are in the company's currency.
    const result = salesDocumentFromGl(
      { ...transaction, currency: { currencyCode: 'USD', numberOfDecimals: 2 } },
      {
        mappings: mappingsFrom([
          { kind: 'gl_account', cw_key: '4000', ledger_key: 'income' },
          { kind: 'gl_account', cw_key: '9999', ledger_key: 'tax' },
          { kind: 'tax_code', cw_key: 'T9', ledger_key: 'NON' },
        ]),
        party: {
          kind: 'customer',
          cwId: '8',
          accountNumber: 'ANGRYF01',
          name: 'Angry Fox, Co.',
          email: undefined,
        },
        roundingLimit: '10.00',
      },
    );
    expect(result.ok ? result.document.lines.map((l) => l.amountMinor) : result.problems).toEqual([1000n]);
  });

  // Issue 12, "ConnectWise purchases" (fixed): negative detail lines under a positive header total.
  it('a real purchase (negative detail lines, positive total) maps to a 12.50 bill', () => {
    const exported = glExportSchema.parse(body('connectwise/gl-export-procurement.zynk.xml'));
    const purchase = exported.purchaseTransactions![0]!;
    expect(purchase.total).toBe(12.5);
    expect(purchase.purchaseDetail!.map((d) => [d.quantity, d.total, d.cost, d.itemCost])).toEqual([
      [-50, -12.5, 12.5, 0.25],
    ]);
    const result = purchaseBillFromGl(purchase, {
      mappings: mappingsFrom([{ kind: 'gl_account', cw_key: '4001', ledger_key: 'stock' }]),
      number: 'COMPANYBINV',
      fallbackCurrency: 'GBP',
    });
    expect(result.ok ? result.document.lines.map((l) => l.amountMinor) : result.problems).toEqual([1250n]);
  });

  it('a real CW error body becomes a typed error that keeps CW’s code and field errors', () => {
    const error = errorFromResponse(400, body('connectwise/error-400-invalid-object.json'));
    expect(error.code).toBe('cw_invalid_request');
    expect(error.cwCode).toBe('InvalidObject');
    expect(error.errors).toEqual([expect.objectContaining({ code: 'MissingRequiredField', field: 'id' })]);
    expect(error.message).toContain('configuration object is invalid');
  });

  it('a callback body verifies against x-content-signature computed over its raw bytes', () => {
    // CW's real signing key is per callback; a test key stands in (how CW signs: domain.md §2).
    const raw = rawText('connectwise/callback-invoice-updated.json');
    const signingKey = 'test-signing-key';
    const key = createHash('sha256').update(signingKey).digest();
    const signature = createHmac('sha256', key).update(raw).digest('base64');
    expect(verifyCallbackSignature(raw, signature, signingKey)).toBe(true);
    expect(verifyCallbackSignature(`${raw} `, signature, signingKey)).toBe(false);
    expect(verifyCallbackSignature(raw, signature, 'another-key')).toBe(false);
  });

  it('the pod reads the Hosted API messages ConnectWise sends', () => {
    expect(parseIncoming(rawText('connectwise/hosted-frame-id.json').trim())).toEqual({
      kind: 'frameId',
      frameId: 'f7d3e2a0-1b2c-4d5e-8f90-a1b2c3d4e5f6',
    });
    expect(parseIncoming(rawText('connectwise/hosted-event-before-save.json').trim())).toMatchObject({
      kind: 'event',
      event: { event: 'beforeSave', _id: 12 },
    });
    const auth = parseIncoming(rawText('connectwise/hosted-member-authentication-response.json').trim());
    expect(auth).toMatchObject({ kind: 'response', response: 'getmemberauthentication' });
  });

  // Issue 12, "Hosted API": failures are read from `errors` (domain.md §8), not taken for an answer.
  it('a Hosted API response carrying errors is read as a failure with its reasons', () => {
    expect(parseIncoming(rawText('connectwise/hosted-response-errors.json').trim())).toEqual({
      kind: 'response',
      response: 'getmemberauthentication',
      data: undefined,
      _id: 7,
      errors: ['The member session has expired'],
    });
    // A success carries no errors; a failure with no list still is one.
    const auth = parseIncoming(rawText('connectwise/hosted-member-authentication-response.json').trim());
    expect(auth).not.toHaveProperty('errors');
    expect(parseIncoming(JSON.stringify({ response: 'x', result: 'failure', _id: 1 }))).toMatchObject({
      errors: [expect.stringMatching(/failure/)],
    });
    expect(
      parseIncoming(JSON.stringify({ response: 'x', errors: [{ code: 'E', message: 'No member' }] })),
    ).toMatchObject({ errors: ['No member'] });
  });

  // Issue 12, "Hosted API" (fixed): the documented getMemberAuthentication example has no memberContext.
  it('a member authentication without memberContext is accepted', () => {
    const auth = parseIncoming(rawText('connectwise/hosted-member-authentication-response.json').trim());
    expect(auth?.kind === 'response' && isMemberAuthentication(auth.data)).toBe(true);
  });
});
