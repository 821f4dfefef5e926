import type { RecordDetail, RecordState, RecordType } from '../../../pod-ui/src/api/types.js';

export interface StoredRecord extends RecordDetail {
  /** Why the next push fails, until the test "fixes" it (a mapping added, say). */
  failWith?: { code: string; message: string; hint: string };
}

const acme = { id: 19, name: 'Acme Corporation' };
const globex = { id: 20, name: 'Globex Industries' };

function record(
  type: RecordType,
  cwId: number,
  number: string,
  company: { id: number; name: string },
  total: string,
  state: RecordState,
  extra: Partial<StoredRecord> = {},
): StoredRecord {
  return {
    record: {
      type,
      cwId,
      number,
      date: '2025-03-01',
      company,
      currency: 'USD',
      decimals: 2,
      total,
      balance: total,
    },
    state,
    cw: { batch: null },
    ledger: null,
    payments: [],
    error: null,
    events: [
      {
        at: '2025-03-01T09:00:00Z',
        actor: 'system',
        kind: 'seen',
        fromState: null,
        toState: state,
        detail: '',
      },
    ],
    ...extra,
  };
}

const missingAccount = {
  code: 'mapping_missing',
  message: 'GL account 4000 "Managed Services" has no QuickBooks account.',
  hint: 'Map it in Admin > Mappings > GL accounts, then retry.',
};

/** Every state the pod shows, keyed by `type:cwId`; ids 1-4 match the demo shell's invoices. */
export function seedRecords(): Map<string, StoredRecord> {
  const list: StoredRecord[] = [
    record('invoice', 1, 'INV-1001', acme, '1284.00', 'unposted'),
    record('invoice', 2, 'INV-1002', acme, '499.00', 'error', {
      error: { ...missingAccount, retryable: true },
      failWith: missingAccount,
    }),
    record('credit_memo', 3, 'INV-1003', globex, '-160.50', 'synced', {
      cw: { batch: { id: 7, identifier: 'LP-0007' } },
      ledger: {
        kind: 'xero',
        id: 'b1c2',
        number: 'CN-0003',
        url: 'https://go.xero.com/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=b1c2',
        total: '-160.50',
        balance: '-160.50',
        status: 'AUTHORISED',
      },
    }),
    record('invoice', 4, 'INV-1004', globex, '2472.13', 'partly_paid', {
      cw: { batch: { id: 8, identifier: 'LP-0008' } },
      ledger: {
        kind: 'qbo',
        id: '145',
        number: '1004',
        url: 'https://app.qbo.intuit.com/app/invoice?txnId=145',
        total: '2472.13',
        balance: '1472.13',
        status: 'Open',
      },
      payments: [{ id: 'p1', amount: '1000.00', date: '2025-03-12', state: 'pending', cwPaymentId: 0 }],
    }),
    record('invoice', 5, 'INV-1005', acme, '310.00', 'unposted'),
    record('expense', 11, 'EXP-11', acme, '82.40', 'unposted'),
    record('procurement', 12, 'PO-12', globex, '1500.00', 'error', {
      error: {
        code: 'vendor_missing',
        message: 'Vendor "Ingram Micro" is not in Xero.',
        hint: 'Create the contact in Xero or map it, then retry.',
        retryable: true,
      },
    }),
    record('invoice', 6, 'INV-1006', globex, '75.00', 'not_closed'),
  ];
  return new Map(list.map((r) => [`${r.record.type}:${r.record.cwId}`, r]));
}
