import { type CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRecords } from '../../bench/support/seed-records.js';
import type { DatabaseHandle } from '../../server/db/database.js';
import type { Database } from '../../server/db/schema.js';
import { findRecordWithHistory, listRecords } from '../../server/records/record-queries.js';
import { createTestDatabase } from '../support/test-database.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const scansOf = (node: PlanNode, out: { type: string; relation: string; index?: string }[] = []) => {
  if (node['Relation Name']) {
    out.push({ type: node['Node Type'], relation: node['Relation Name'], index: node['Index Name'] });
  }
  for (const child of node.Plans ?? []) scansOf(child, out);
  return out;
};

/**
 * The status and list queries must stay index lookups as the records table grows: with enough rows
 * that a sequential scan would lose, the planner must find an index for every table they touch.
 */
describe('status query plans', () => {
  let database: DatabaseHandle;
  let pool: pg.Pool;
  let capturing: Kysely<Database>;
  const captured: CompiledQuery[] = [];
  let tenantId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const seeded = await seedRecords(database.db, 200, 100);
    tenantId = seeded.tenantIds[17]!;
    pool = new pg.Pool({ connectionString: database.url, max: 1 });
    // A second Kysely on the same database that records the SQL the product's query functions build.
    capturing = new Kysely<Database>({
      dialect: new PostgresDialect({ pool }),
      log: (event) => {
        if (event.level === 'query') captured.push(event.query);
      },
    });
  });

  afterAll(async () => {
    await capturing?.destroy();
    await database?.close();
  });

  const explainWithParameters = async (query: CompiledQuery) => {
    const client = await pool.connect();
    try {
      const result = await client.query(`explain (format json) ${query.sql}`, [...query.parameters]);
      return (result.rows[0]['QUERY PLAN'] as [{ Plan: PlanNode }])[0].Plan;
    } finally {
      client.release();
    }
  };

  it('finds one record with its payments and events by index only', async () => {
    captured.length = 0;
    const found = await findRecordWithHistory(capturing, tenantId, 'invoice', 10_042);
    expect(found?.row.cw_id).toBe('10042');
    expect(captured).toHaveLength(1);
    const scans = scansOf(await explainWithParameters(captured[0]!));
    expect(scans.filter((s) => s.type === 'Seq Scan')).toEqual([]);
    expect(scans.some((s) => s.relation === 'records' && /Index/.test(s.type))).toBe(true);
  });

  it('lists a tenant page and its state counts by index only', async () => {
    captured.length = 0;
    const page = await listRecords(capturing, tenantId, { limit: 50 });
    expect(page.rows).toHaveLength(50);
    const filtered = await listRecords(capturing, tenantId, { limit: 50, state: 'synced', type: 'invoice' });
    expect(filtered.rows.length).toBeGreaterThan(0);
    await listRecords(capturing, tenantId, { limit: 50, cursor: page.nextCursor! });
    expect(captured.length).toBe(6);
    for (const query of captured) {
      const scans = scansOf(await explainWithParameters(query));
      expect(
        scans.filter((s) => s.type === 'Seq Scan'),
        query.sql,
      ).toEqual([]);
      // Index Scan, Index Only Scan, or a Bitmap Heap Scan fed by a Bitmap Index Scan.
      expect(
        scans.some((s) => s.relation === 'records' && /Index|Bitmap Heap/.test(s.type)),
        query.sql,
      ).toBe(true);
    }
  });
});
