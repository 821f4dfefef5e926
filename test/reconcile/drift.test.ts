import { describe, expect, it } from 'vitest';
import { compareRecord, type DriftInput } from '../../server/reconcile/drift.js';

/** The pure comparison (server/reconcile/drift.ts): the sides as check-record.ts reads them. */
const base = (over: Partial<DriftInput> = {}): DriftInput => ({
  kind: 'invoice',
  currency: 'USD',
  decimals: 2,
  cw: {
    number: 'INV-1',
    totalMinor: 108250n,
    taxMinor: 8250n,
    balanceMinor: 58250n,
    status: 'Closed',
    payments: [{ cwPaymentId: 77, amountMinor: 50000n, date: '2024-05-10T00:00:00Z' }],
    credits: [],
    appliedTo: [],
  },
  ledger: {
    name: 'QuickBooks',
    document: {
      number: 'INV-1',
      totalMinor: 108250n,
      taxMinor: 8250n,
      balanceMinor: 58250n,
      status: 'partly_paid',
    },
    payments: [{ id: 'p1', amountMinor: 50000n, date: '2024-05-10' }],
    credits: [],
    appliedTo: undefined,
    sameNumber: [],
  },
  written: [{ ledgerPaymentId: 'p1', state: 'written', cwPaymentId: 77 }],
  bookedDifferenceMinor: 0n,
  bookedTotalMinor: 108250n,
  ourCredits: new Set(),
  ...over,
});
const codes = (input: DriftInput) => compareRecord(input).map((d) => d.code);

describe('compareRecord', () => {
  it('finds nothing where both sides agree, payments matched by what Ledgerpod wrote', () => {
    expect(compareRecord(base())).toEqual([]);
  });

  it('a payment written as error or still pending is missing in ConnectWise, with the write as its fix', () => {
    for (const state of ['error', 'pending'] as const) {
      const [d] = compareRecord(
        base({
          cw: { ...base().cw, payments: [], balanceMinor: 108250n },
          written: [{ ledgerPaymentId: 'p1', state, cwPaymentId: null }],
        }),
      );
      expect(d).toMatchObject({
        code: 'payment_missing_in_cw',
        fix: { action: 'write_payment', ref: 'p1' },
      });
    }
  });

  it('a payment Ledgerpod wrote that ConnectWise no longer lists was removed there: reported, no automatic fix', () => {
    const found = compareRecord(base({ cw: { ...base().cw, payments: [], balanceMinor: 108250n } }));
    expect(found.map((d) => d.code)).toEqual(['payment_removed_in_cw']);
    expect(found[0]!.fix?.action).toBeUndefined();
  });

  it('a written payment the books dropped is reported as deleted there', () => {
    expect(codes(base({ ledger: { ...base().ledger, payments: [] } }))).toEqual(['payment_deleted_in_books']);
  });

  it('a rounded total the books hold on purpose is no edit; tax is then not compared', () => {
    const ledger = base().ledger;
    const rounded = base({
      bookedDifferenceMinor: -1n,
      ledger: { ...ledger, document: { ...ledger.document!, totalMinor: 108249n, taxMinor: 8249n } },
    });
    expect(codes(rounded)).toEqual([]);
    const edited = base({ ledger: { ...ledger, document: { ...ledger.document!, totalMinor: 110000n } } });
    expect(codes(edited)).toEqual(['total_edited_in_books']);
  });

  it('tells which side changed a total by what the books answered when Ledgerpod wrote it', () => {
    const ledger = base().ledger;
    // The books still hold the 1082.50 written; ConnectWise now says 1300.00 (edited after it synced).
    const inCw = base({ cw: { ...base().cw, totalMinor: 130000n, taxMinor: 10000n } });
    const [found, ...rest] = compareRecord(inCw);
    expect(found).toMatchObject({ code: 'total_edited_in_cw', cwMinor: '130000', ledgerMinor: '108250' });
    expect(found!.cause).toBe(
      'INV-1 was changed in ConnectWise after it synced: its total there is 1300.00 USD, QuickBooks still holds 1082.50 USD.',
    );
    expect(found!.fix!.text).toContain('Correct it in the books');
    // Its tax moved with it: no second difference blaming the books for it.
    expect(rest.map((d) => d.code)).not.toContain('tax_edited_in_books');
    // The books moved away from what was written: they were edited.
    const inBooks = base({ ledger: { ...ledger, document: { ...ledger.document!, totalMinor: 110000n } } });
    expect(codes(inBooks)).toEqual(['total_edited_in_books']);
    // Written before the booked total was kept: the books are named, as before.
    expect(codes(base({ ...inCw, bookedTotalMinor: undefined }))).toContain('total_edited_in_books');
    // A credit memo is corrected by reversing and syncing it again.
    const memo = compareRecord(base({ ...inCw, kind: 'credit_memo' }))[0]!;
    expect(memo.fix!.text).toBe(
      'Reverse it in the pod and sync it again: Ledgerpod updates the same QuickBooks document.',
    );
  });

  it('a credit memo applied in the books only names the invoice, where and the fix; one in both agrees', () => {
    const memo = (cwApplied: { number: string; amountMinor: bigint; date: string }[]) =>
      base({
        kind: 'credit_memo',
        cw: { ...base().cw, number: 'CM-9', payments: [], balanceMinor: 10825n, appliedTo: cwApplied },
        ledger: {
          ...base().ledger,
          payments: [],
          document: { ...base().ledger.document!, number: 'CM-9', balanceMinor: 0n, status: 'paid' },
          appliedTo: [{ number: 'INV-7', amountMinor: 10825n, date: '2024-05-20' }],
        },
        written: [],
      });
    expect(compareRecord(memo([]))).toEqual([
      {
        code: 'applied_only_in_books',
        cause: 'Applied in QuickBooks to INV-7 (108.25 USD) on 2024-05-20; ConnectWise does not show it.',
        fix: { text: 'Apply CM-9 to INV-7 in ConnectWise.' },
        ledgerMinor: '10825',
      },
    ]);
    // Applied in both for the same amount (the balances then agree too): nothing to say.
    const both = memo([{ number: 'inv-7', amountMinor: 10825n, date: '2024-05-20' }]);
    both.cw.balanceMinor = 0n;
    expect(codes(both)).toEqual([]);
    expect(codes(memo([{ number: 'INV-7', amountMinor: 5000n, date: '2024-05-20' }]))).toEqual([
      'applied_amount_differs',
    ]);
    // Books that do not say where the credit went: the balance alone, as before.
    const unknown = memo([]);
    unknown.ledger.appliedTo = undefined;
    expect(codes(unknown)).toEqual(['balance_differs']);
  });

  it('credits are matched by number whatever the case, amounts compared per credit', () => {
    const credit = { number: 'cm-9', amountMinor: 10825n, date: '2024-05-20' };
    const both = base({
      cw: { ...base().cw, credits: [{ ...credit, number: 'CM-9' }] },
      ledger: { ...base().ledger, credits: [credit] },
    });
    expect(codes(both)).toEqual([]);
    const apart = base({
      cw: { ...base().cw, credits: [{ ...credit, number: 'CM-9' }] },
      ledger: { ...base().ledger, credits: [{ ...credit, amountMinor: 5000n }] },
    });
    expect(codes(apart)).toEqual(['credit_amount_differs']);
  });

  it('a credit only in ConnectWise is applied by Ledgerpod only when Ledgerpod pushed the credit memo', () => {
    const cw = { ...base().cw, credits: [{ number: 'CM-9', amountMinor: 10825n, date: '' }] };
    expect(compareRecord(base({ cw, ourCredits: new Set(['CM-9']) }))[0]!.fix).toEqual({
      text: 'Apply CM-9 in QuickBooks.',
      action: 'apply_credit',
      ref: 'CM-9',
    });
    expect(compareRecord(base({ cw }))[0]!.fix?.action).toBeUndefined();
  });

  it('a deleted or voided document is the only difference of the document itself', () => {
    expect(codes(base({ ledger: { ...base().ledger, document: undefined } }))).toEqual(['deleted_in_books']);
    const ledger = base().ledger;
    const voided = base({
      ledger: { ...ledger, document: { ...ledger.document!, status: 'voided', totalMinor: 0n } },
    });
    expect(codes(voided)).toEqual(['voided_in_books']);
  });

  it('balances apart that nothing explains are reported as such', () => {
    const ledger = base().ledger;
    const found = compareRecord(
      base({ ledger: { ...ledger, document: { ...ledger.document!, balanceMinor: 50000n } } }),
    );
    expect(found.map((d) => d.code)).toEqual(['balance_differs']);
    expect(found[0]).toMatchObject({ cwMinor: '58250', ledgerMinor: '50000' });
  });

  it('a credit memo compares its document only (its applications are read from the invoice)', () => {
    const memo = base({ kind: 'credit_memo', ledger: { ...base().ledger, payments: [] }, written: [] });
    expect(codes(memo)).toEqual([]);
  });
});
