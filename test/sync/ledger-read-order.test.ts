import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.js';
import type { RecordRow } from '../../server/db/schema.js';
import { RecordStore } from '../../server/records/record-store.js';
import { createTestDatabase } from '../support/test-database.js';

/**
 * Seen on CI: a payment poll read an invoice's balance from the ledger just before a credit memo was
 * applied to it, and stored that answer after the credit application had stored the new balance; the
 * record fell back from partly_paid to synced with the old balance. A balance read is stored only if
 * it started no earlier than the one stored.
 */
describe('ledger balance reads beside each other', () => {
  let handle: DatabaseHandle;
  let records: RecordStore;
  let tenantId: string;
  let cwId = 100;

  beforeAll(async () => {
    handle = await createTestDatabase();
    records = new RecordStore(handle.db);
    const tenant = await handle.db
      .insertInto('tenants')
      .values({ name: 't', cw_site: 'cw.example', cw_company_id: 'lro', cw_client_id: 'c', cw_keys_enc: 'x' })
      .returning('id')
      .executeTakeFirstOrThrow();
    tenantId = tenant.id;
  });
  afterAll(() => handle?.close());

  async function syncedInvoice(): Promise<RecordRow> {
    const record = await records.ensure({ tenantId, type: 'invoice', cwId: ++cwId });
    return records.transition(record, {
      to: 'synced',
      set: { ledger_id: `L${cwId}`, ledger_total_minor: '165893', ledger_balance_minor: '165893' },
      actor: 'test',
      kind: 'synced',
    });
  }
  const credited = { ledger_balance_minor: '155068', ledger_status: 'partly_paid' };
  const unpaid = { ledger_balance_minor: '165893', ledger_status: 'open' };
  const eventsOf = (record: RecordRow) =>
    handle.db.selectFrom('record_events').select('kind').where('record_id', '=', record.id).execute();

  it('an answer whose read started earlier never overwrites a later one', async () => {
    const record = await syncedInvoice();
    const pollStarted = new Date(Date.now() - 1_000);
    const creditReadStarted = new Date();

    const byCredit = await records.storeLedgerRead(record, creditReadStarted, {
      to: 'partly_paid',
      set: credited,
      actor: 'credit',
      kind: 'credit_balance',
      fromStates: ['synced'],
    });
    expect(byCredit?.state).toBe('partly_paid');
    // The poll read synced before the credit and answers now: its answer is dropped.
    const byPoll = await records.storeLedgerRead(record, pollStarted, {
      to: 'synced',
      set: unpaid,
      actor: 'payments',
      kind: 'balance_changed',
    });
    expect(byPoll).toBeUndefined();

    const stored = (await records.get({ tenantId, type: 'invoice', cwId }))!;
    expect(stored).toMatchObject({ state: 'partly_paid', ledger_balance_minor: '155068' });
    expect((await eventsOf(record)).map((e) => e.kind)).toEqual(['synced', 'credit_balance']);
  });

  it('reads stored in the order they started all land, the last one standing', async () => {
    const record = await syncedInvoice();
    const first = await records.storeLedgerRead(record, new Date(Date.now() - 1_000), {
      to: 'synced',
      set: unpaid,
      actor: 'payments',
      kind: 'balance_changed',
    });
    expect(first?.state).toBe('synced');
    const second = await records.storeLedgerRead(first!, new Date(), {
      to: 'partly_paid',
      set: credited,
      actor: 'credit',
      kind: 'credit_balance',
    });
    expect(second).toMatchObject({ state: 'partly_paid', ledger_balance_minor: '155068' });
    // No state change on the first: no event for it (nothing happened to the record).
    expect((await eventsOf(record)).map((e) => e.kind)).toEqual(['synced', 'credit_balance']);
  });

  it('with fromStates, a record that moved on (a push, a reversal) is left as it is', async () => {
    const record = await syncedInvoice();
    await records.transition(record, { to: 'unposted', actor: 'refresh', kind: 'reversed_in_connectwise' });
    const late = await records.storeLedgerRead(record, new Date(), {
      to: 'paid',
      set: { ledger_balance_minor: '0' },
      actor: 'payments',
      kind: 'balance_changed',
      fromStates: ['synced'],
    });
    expect(late).toBeUndefined();
    expect((await records.get({ tenantId, type: 'invoice', cwId }))?.state).toBe('unposted');
  });
});
