import { describe, expect, it } from 'vitest';
import { paymentsFromCdc } from '../../server/ledgers/quickbooks/payments.js';

const cdc = (payment: Record<string, unknown>) => ({
  CDCResponse: [
    {
      QueryResponse: [
        {
          Payment: [
            {
              MetaData: { LastUpdatedTime: '2026-11-20T10:00:00Z' },
              TxnDate: '2026-11-20',
              CurrencyRef: { value: 'USD' },
              ...payment,
            },
          ],
        },
      ],
    },
  ],
});

describe('QuickBooks payments read back', () => {
  it('a credit application (zero-amount payment) is no money received', () => {
    const { payments } = paymentsFromCdc(
      cdc({
        Id: '90',
        TotalAmt: 0,
        Line: [
          { Amount: 108.25, LinkedTxn: [{ TxnId: '11', TxnType: 'Invoice' }] },
          { Amount: 108.25, LinkedTxn: [{ TxnId: '12', TxnType: 'CreditMemo' }] },
        ],
      }),
    );
    expect(payments).toEqual([]);
  });

  it('a payment that also applies a credit counts only the money', () => {
    const { payments } = paymentsFromCdc(
      cdc({
        Id: '91',
        TotalAmt: 100,
        Line: [
          { Amount: 150, LinkedTxn: [{ TxnId: '11', TxnType: 'Invoice' }] },
          { Amount: 50, LinkedTxn: [{ TxnId: '12', TxnType: 'CreditMemo' }] },
        ],
      }),
    );
    expect(payments).toEqual([
      expect.objectContaining({ id: '91', documentId: '11', amountMinor: 10000n, state: 'active' }),
    ]);
  });

  it('a plain payment over two invoices gives one line each', () => {
    const { payments } = paymentsFromCdc(
      cdc({
        Id: '92',
        TotalAmt: 300,
        Line: [
          { Amount: 100, LinkedTxn: [{ TxnId: '11', TxnType: 'Invoice' }] },
          { Amount: 200, LinkedTxn: [{ TxnId: '13', TxnType: 'Invoice' }] },
        ],
      }),
    );
    expect(payments.map((p) => [p.documentId, p.amountMinor])).toEqual([
      ['11', 10000n],
      ['13', 20000n],
    ]);
  });
});
