import { describe, expect, it } from 'vitest';
import {
  glRecordLabel,
  glRecordNumber,
  invoiceRecordType,
  isGlRecordType,
  listedAsType,
  procurementRecordType,
  recordKinds,
  recordTypes,
  typeFamily,
} from '../../server/records/record-kinds.js';
import {
  bookedStateList,
  bookedStates,
  inFlightStates,
  openStateList,
  recordStates,
  settledStates,
} from '../../server/records/record-states.js';

describe('record kinds', () => {
  it('lists every type once, in the order the API has always listed them', () => {
    expect(recordTypes).toEqual([
      'invoice',
      'credit_memo',
      'expense',
      'procurement',
      'adjustment',
      'transfer',
    ]);
  });

  it('flags a batch for exactly the CW list its type is listed in', () => {
    for (const type of recordTypes) {
      const { unposted, batchFlags } = recordKinds[type];
      expect(batchFlags, type).toEqual({
        exportInvoicesFlag: unposted === 'invoices',
        exportExpensesFlag: unposted === 'expenses',
        exportProductsFlag: unposted === 'procurement',
      });
    }
  });

  it('numbers and names GL records as their batches and messages always have', () => {
    expect(recordTypes.filter(isGlRecordType).map((t) => glRecordNumber(t, 7))).toEqual([
      'EXP-7',
      'PUR-7',
      'ADJ-7',
      'TRF-7',
    ]);
    expect(glRecordLabel('procurement', 12)).toBe('Purchase 12');
    expect(glRecordLabel('adjustment', 3)).toBe('Inventory adjustment 3');
  });

  it('tells the types of CW lists apart', () => {
    expect(invoiceRecordType('CreditMemo')).toBe('credit_memo');
    expect(invoiceRecordType('Standard')).toBe('invoice');
    expect(invoiceRecordType(undefined)).toBe('invoice');
    expect(procurementRecordType('Purchase')).toBe('procurement');
    expect(procurementRecordType('Adjustment')).toBe('adjustment');
    expect(procurementRecordType('Transfer')).toBe('transfer');
    // An expense has no procurementType: a row without one is no type of the procurement list.
    expect(procurementRecordType(undefined)).toBeUndefined();
    expect(procurementRecordType(null)).toBeUndefined();
    expect(listedAsType('adjustment', 'Purchase')).toBe(false);
    expect(listedAsType('adjustment', 'Adjustment')).toBe(true);
    expect(listedAsType('adjustment', undefined)).toBe(true);
    expect(listedAsType('expense', 'Purchase')).toBe(true);
  });

  it('lets invoices and credit memos name one record, and no other types', () => {
    expect(typeFamily('credit_memo')).toEqual(['invoice', 'credit_memo']);
    expect(typeFamily('invoice')).toEqual(['invoice', 'credit_memo']);
    expect(typeFamily('transfer')).toEqual(['transfer']);
  });
});

describe('record states', () => {
  it('lists every state once, in the order the API has always listed them', () => {
    expect(recordStates).toEqual([
      'unposted',
      'queued',
      'exported',
      'pushed',
      'synced',
      'partly_paid',
      'paid',
      'onboarded',
      'error',
      'not_closed',
      'unknown',
    ]);
  });

  it('names each set the code decides by, with the members it has always had', () => {
    expect([...bookedStates]).toEqual(['synced', 'partly_paid', 'paid']);
    expect(bookedStateList).toEqual(['synced', 'partly_paid', 'paid']);
    expect([...settledStates]).toEqual(['synced', 'partly_paid', 'paid', 'onboarded']);
    expect([...inFlightStates]).toEqual(['queued', 'exported', 'pushed']);
    expect(openStateList).toEqual(['synced', 'partly_paid']);
  });
});
