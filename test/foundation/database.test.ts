import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../server/crypto/secret-box.js';
import { type DatabaseHandle, openDatabase } from '../../server/db/database.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { createTestDatabase } from '../support/test-database.js';

describe('database', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(() => handle.close());

  it('records applied migrations and re-running is a no-op', async () => {
    const applied = await sql<{ name: string }>`select name from ledgerpod_migrations order by name`.execute(
      handle.db,
    );
    expect(applied.rows.map((r) => r.name)).toContain('0001_initial');
    const again = await migrateToLatest(handle.db);
    expect(again.results).toEqual([]);
  });

  it('creates the schema of the architecture', async () => {
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(
      handle.db,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'tenants',
        'ledger_connections',
        'mappings',
        'records',
        'record_events',
        'payments',
        'onboarding_runs',
        'webhook_events',
      ]),
    );
  });

  it('keeps bigint money exact and enforces one row per CW record', async () => {
    const box = createSecretBox([Buffer.alloc(32, 7)]);
    const tenant = await handle.db
      .insertInto('tenants')
      .values({
        name: 'Acme',
        cw_site: 'na.myconnectwise.net',
        cw_company_id: 'acme',
        cw_client_id: 'c',
        cw_keys_enc: box.seal('{}'),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const big = '9007199254740993';
    await handle.db
      .insertInto('records')
      .values({ tenant_id: tenant.id, type: 'invoice', cw_id: 1, total_minor: big })
      .execute();
    const row = await handle.db.selectFrom('records').select('total_minor').executeTakeFirstOrThrow();
    expect(row.total_minor).toBe(big);
    await expect(
      handle.db.insertInto('records').values({ tenant_id: tenant.id, type: 'invoice', cw_id: 1 }).execute(),
    ).rejects.toThrow(/duplicate key/);
  });
});

describe('data survives a restart', () => {
  it('of the embedded database', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledgerpod-restart-'));
    const first = await openDatabase({ databaseUrl: undefined, dataDir });
    await migrateToLatest(first.db);
    await first.db
      .insertInto('tenants')
      .values({
        name: 'Kept',
        cw_site: 'eu.myconnectwise.net',
        cw_company_id: 'kept',
        cw_client_id: 'c',
        cw_keys_enc: 'v1.x',
      })
      .execute();
    await first.close();

    const second = await openDatabase({ databaseUrl: undefined, dataDir });
    try {
      const result = await migrateToLatest(second.db);
      expect(result.results).toEqual([]);
      const names = await second.db.selectFrom('tenants').select('name').execute();
      expect(names).toEqual([{ name: 'Kept' }]);
    } finally {
      await second.close();
    }
  });

  it.runIf(process.env.DATABASE_URL)('of the connection to the PostgreSQL server', async () => {
    const handle = await createTestDatabase();
    try {
      await handle.db
        .insertInto('tenants')
        .values({
          name: 'Server',
          cw_site: 'au.myconnectwise.net',
          cw_company_id: 's',
          cw_client_id: 'c',
          cw_keys_enc: 'v1.x',
        })
        .execute();
      const reopened = await openDatabase({ databaseUrl: handle.url, dataDir: undefined });
      try {
        expect(await reopened.db.selectFrom('tenants').select('name').execute()).toEqual([
          { name: 'Server' },
        ]);
      } finally {
        await reopened.close();
      }
    } finally {
      await handle.close();
    }
  });
});
