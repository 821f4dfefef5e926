import { describe, expect, it } from 'vitest';
import { glExportSchema } from '../../server/connectwise/schemas.js';
import { toQboEntity } from '../../server/ledgers/quickbooks/mapping.js';
import { fromXeroInvoice, fromXeroPayment, toXeroDocument } from '../../server/ledgers/xero/mapping.js';
import { envelope, invoiceWire, paymentWire } from '../../server/ledgers/xero/wire.js';
import { salesDocumentFromGl } from '../../server/pipeline/map/invoices-and-credits.js';
import { mappingsFrom } from '../../server/records/mappings.js';
import { checkAgainst, readXsd } from '../quickbooks/xsd-reader.js';
import { loadXeroValidator } from '../xero/support/openapi-validator.js';
import { body } from './support/corpus.js';

/*
 * The pure mappers between the systems, fed with published bodies: a real ConnectWise invoice
 * export becomes a QBO Invoice that fits Finance.xsd and a Xero invoice that fits the OpenAPI
 * (closed: no invented field), and Xero's documented answers read back into ledger records.
 */
const specs = '../shared/specs/qbo';
const xsd = readXsd([
  `${specs}/IntuitBaseTypes.xsd`,
  `${specs}/IntuitNamesTypes.xsd`,
  `${specs}/Finance.xsd`,
]);
const xero = loadXeroValidator();

const realInvoiceDocument = () => {
  const transaction = glExportSchema.parse(body('connectwise/gl-export-invoices.zynk.xml')).transactions![0]!;
  const result = salesDocumentFromGl(
    { ...transaction, currency: { currencyCode: 'USD', numberOfDecimals: 2 } },
    {
      mappings: mappingsFrom([
        { kind: 'gl_account', cw_key: '4000', ledger_key: '200' },
        { kind: 'gl_account', cw_key: '9999', ledger_key: '820' },
        { kind: 'tax_code', cw_key: 'T9', ledger_key: 'NONE' },
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
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.document;
};

describe('mappers over published bodies', () => {
  it('a real CW invoice export becomes a QBO Invoice that fits Finance.xsd', () => {
    const entity = toQboEntity(realInvoiceDocument(), '8');
    expect(checkAgainst(xsd, 'Invoice', entity)).toEqual([]);
    expect(entity).toMatchObject({ DocNumber: '119' });
  });

  it('a real CW invoice export becomes a Xero invoice that fits the OpenAPI, closed', () => {
    const { collection, body: wire } = toXeroDocument(
      realInvoiceDocument(),
      '00000000-0000-0000-0000-000000000008',
    );
    expect(collection).toBe('Invoices');
    expect(xero.validate('Invoices', { Invoices: [wire] })).toEqual([]);
  });

  it('Xero’s documented invoices and payments read back into ledger records', () => {
    const invoices = envelope('Invoices', invoiceWire).parse(body('xero/invoices-get.200.json')).Invoices;
    for (const invoice of invoices) {
      const ref = fromXeroInvoice(invoice, { appUrl: 'https://go.xero.com' });
      expect(ref.id).toBe(invoice.InvoiceID);
      expect(typeof ref.totalMinor).toBe('bigint');
    }
    const payments = envelope('Payments', paymentWire).parse(body('xero/payments-get.200.json')).Payments;
    for (const payment of payments) {
      const read = fromXeroPayment(payment);
      expect(read.id).toBe(payment.PaymentID);
      expect(read.amountMinor).toBeGreaterThan(0n);
    }
  });
});
