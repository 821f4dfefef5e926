import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.js';
import type { JobQueue } from '../../server/jobs/job-queue.js';
import { requestPush } from '../../server/pipeline/requests.js';
import { RecordStore } from '../../server/records/record-store.js';
import { createTestDatabase } from '../support/test-database.js';

/**
 * Seen on CI (product-flow): the first look at an unknown invoice queued its discovery, and the
 * accountant's click on Sync now read the record as `unknown` just before the discovery moved it to
 * `unposted`. The click's transition to `queued` lost, the record stayed `unposted`, and its push job
 * found nothing queued to push. The click must queue it on whatever state won.
 */
describe('a push asked for while another writer moves the record', () => {
  let handle: DatabaseHandle;
  let records: RecordStore;
  let tenantId: string;
  const sent: unknown[] = [];
  const jobs = {
    send: async (_queue: string, data: unknown) => {
      sent.push(data);
      return 'job';
    },
  } as unknown as JobQueue;

  beforeAll(async () => {
    handle = await createTestDatabase();
    records = new RecordStore(handle.db);
    const tenant = await handle.db
      .insertInto('tenants')
      .values({ name: 't', cw_site: 'cw.example', cw_company_id: 'rpr', cw_client_id: 'c', cw_keys_enc: 'x' })
      .returning('id')
      .executeTakeFirstOrThrow();
    tenantId = tenant.id;
  });
  afterAll(() => handle?.close());

  it('queues the record on the state the other writer left, and sends its job once', async () => {
    const key = { tenantId, type: 'invoice', cwId: 7001 } as const;
    const seenByClick = await records.ensure(key);
    expect(seenByClick.state).toBe('unknown');
    // The discovery wins the race: it moves the record after the click read it.
    await records.transitionIf(seenByClick, ['unknown'], {
      to: 'unposted',
      set: {},
      actor: 'refresh',
      kind: 'refreshed',
    });
    // The click's read is the one from before the discovery (its first ensure answers that row).
    let first = true;
    const racing = Object.create(records) as RecordStore;
    racing.ensure = async (k) => {
      if (first) {
        first = false;
        return seenByClick;
      }
      return records.ensure(k);
    };
    const record = await requestPush({ jobs, records: racing }, key, 'afinch');
    expect(record.state).toBe('queued');
    expect((await records.get(key))?.state).toBe('queued');
    expect(sent).toHaveLength(1);
    const kinds = await handle.db
      .selectFrom('record_events')
      .select(['kind', 'to_state'])
      .where('record_id', '=', record.id)
      .orderBy('id')
      .execute();
    expect(kinds.map((k) => k.kind)).toEqual(['refreshed', 'queued']);
  });
});
