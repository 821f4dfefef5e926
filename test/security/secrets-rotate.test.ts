import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSecretsRotate } from '../../scripts/lib/secrets-rotate-command.js';
import { rotateSecrets, sealedColumns } from '../../server/crypto/rotate-secrets.js';
import { createSecretBox } from '../../server/crypto/secret-box.js';
import { type DatabaseHandle, openDatabase } from '../../server/db/database.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { ConnectionStore } from '../../server/ledgers/connections/connection-store.js';
import { TenantStore } from '../../server/tenants/tenant-store.js';

/**
 * Issue 18, finding 10: a key rotation could not be completed (tenants' CW keys were never
 * re-sealed, and no command did it). `npm run secrets:rotate` is run here as the operator runs it,
 * on the embedded database in a DATA_DIR; afterwards the old key is removed and everything is read.
 */
describe('npm run secrets:rotate', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const sessionKey = randomBytes(32).toString('hex');
  let dataDir: string;
  const originals = new Map<string, string>();

  const open = async () => {
    const database = await openDatabase({ databaseUrl: undefined, dataDir, poolSize: 2 });
    await migrateToLatest(database.db);
    return database;
  };
  const withDatabase = async <T>(run: (database: DatabaseHandle) => Promise<T>) => {
    const database = await open();
    try {
      return await run(database);
    } finally {
      await database.close();
    }
  };
  const run = async (keys: { current: Buffer; old?: Buffer[] }, argv: string[] = []) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runSecretsRotate(
      argv,
      {
        SECRET_KEY: keys.current.toString('hex'),
        ...(keys.old ? { SECRET_KEYS_OLD: keys.old.map((k) => k.toString('hex')).join(',') } : {}),
        SESSION_KEY: sessionKey,
        DATA_DIR: dataDir,
        DEMO: 'off',
        LOG_LEVEL: 'silent',
      },
      { out: (l) => out.push(l), err: (l) => err.push(l) },
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  /** Adds a tenant with one connection, both sealed with `key` (a process still on that key). */
  const addTenant = (database: DatabaseHandle, key: Buffer, n: number) => {
    const box = createSecretBox([key]);
    return (async () => {
      const tenant = await new TenantStore(database.db, box).create({
        name: `MSP ${n}`,
        site: `msp${n}.example.test`,
        companyId: `msp${n}`,
        publicKey: `pub-${n}`,
        privateKey: `private-key-${n}-${randomBytes(4).toString('hex')}`,
        clientId: 'client',
      });
      originals.set(tenant.id, new TenantStore(database.db, box).keysOf(tenant).privateKey);
      const connection = await new ConnectionStore(database.db, box).save({
        tenantId: tenant.id,
        kind: 'qbo',
        externalId: `realm-${n}`,
        name: `Books ${n}`,
        tokens: {
          accessToken: `at-${n}`,
          refreshToken: `rt-${n}`,
          accessExpiresAt: new Date(Date.now() + 3_600_000),
        },
      });
      originals.set(connection.id, `rt-${n}`);
    })();
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ledgerpod-rotate-'));
    await withDatabase(async (database) => {
      for (const n of [1, 2, 3]) await addTenant(database, oldKey, n);
    });
  });
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('lists every sealed column of the schema', async () => {
    const columns = await withDatabase((database) =>
      sql<{ table_name: string; column_name: string }>`
        select table_name, column_name from information_schema.columns
        where table_schema = 'public' and column_name like '%\\_enc' order by 1, 2`.execute(database.db),
    );
    expect(columns.rows.map((c) => `${c.table_name}.${c.column_name}`).sort()).toEqual(
      sealedColumns.map((c) => `${c.table}.${c.column}`).sort(),
    );
  });

  it('re-seals every secret with the new key, and a second run changes nothing', async () => {
    const first = await run({ current: newKey, old: [oldKey] });
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/tenants\.cw_keys_enc\): 3 checked, 3 re-sealed/);
    expect(first.out).toMatch(/ledger_connections\.tokens_enc\): 3 checked, 3 re-sealed/);
    expect(first.out).toMatch(/SECRET_KEYS_OLD can be removed/);
    const second = await run({ current: newKey, old: [oldKey] });
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/tenants\.cw_keys_enc\): 3 checked, 0 re-sealed/);
    expect(second.out).toMatch(/ledger_connections\.tokens_enc\): 3 checked, 0 re-sealed/);
  });

  it('resumes: a run stopped midway, and rows written meanwhile with the old key, are finished by the next', async () => {
    await withDatabase(async (database) => {
      // An old process wrote two more tenants during the rotation.
      await addTenant(database, oldKey, 4);
      await addTenant(database, oldKey, 5);
      // A run that got through one batch of one row before it was stopped.
      const box = createSecretBox([newKey, oldKey]);
      const sealed = await database.db
        .selectFrom('tenants')
        .select(['id', 'cw_keys_enc'])
        .orderBy('id')
        .execute();
      const stale = sealed.filter((t) => !box.sealedWithCurrentKey(t.cw_keys_enc));
      expect(stale).toHaveLength(2);
      await database.db
        .updateTable('tenants')
        .set({ cw_keys_enc: box.seal(box.open(stale[0]!.cw_keys_enc)) })
        .where('id', '=', stale[0]!.id)
        .execute();
    });
    const resumed = await run({ current: newKey, old: [oldKey] }, ['--batch-size', '2']);
    expect(resumed.code).toBe(0);
    expect(resumed.out).toMatch(/tenants\.cw_keys_enc\): 5 checked, 1 re-sealed/);
    expect(resumed.out).toMatch(/ledger_connections\.tokens_enc\): 5 checked, 2 re-sealed/);
  });

  it('with the old key removed, every secret still reads', async () => {
    const check = await run({ current: newKey });
    expect(check.code).toBe(0);
    expect(check.out).toMatch(/0 re-sealed/);
    await withDatabase(async (database) => {
      const box = createSecretBox([newKey]);
      const tenants = new TenantStore(database.db, box);
      const connections = new ConnectionStore(database.db, box);
      const rows = await database.db.selectFrom('tenants').selectAll().execute();
      expect(rows).toHaveLength(5);
      for (const tenant of rows) {
        expect(tenants.keysOf(tenant).privateKey).toBe(originals.get(tenant.id));
        for (const connection of await connections.list(tenant.id))
          expect(connections.tokensOf(connection).refreshToken).toBe(originals.get(connection.id));
      }
      // And nothing in the database is sealed with the old key any more.
      const raw = JSON.stringify(await database.db.selectFrom('ledger_connections').selectAll().execute());
      expect(raw).not.toContain(createSecretBox([oldKey]).seal('x').split('.')[1]);
    });
  });

  it('a row no configured key opens is named, left untouched, and the command fails', async () => {
    const stranger = randomBytes(32);
    const id = await withDatabase(async (database) => {
      await addTenant(database, stranger, 6);
      return (
        await database.db
          .selectFrom('tenants')
          .select('id')
          .where('name', '=', 'MSP 6')
          .executeTakeFirstOrThrow()
      ).id;
    });
    const failed = await run({ current: newKey });
    expect(failed.code).toBe(1);
    expect(failed.err).toContain(id);
    expect(failed.err).toMatch(/add the key they were sealed with to SECRET_KEYS_OLD/);
    // With that key supplied, the rotation completes.
    expect((await run({ current: newKey, old: [stranger] })).code).toBe(0);
    const again = await withDatabase((database) => rotateSecrets(database.db, createSecretBox([newKey])));
    expect(again.map((r) => [r.table, r.rotated, r.unreadable])).toEqual([
      ['tenants', 0, []],
      ['ledger_connections', 0, []],
    ]);
  });

  it('refuses a bad --batch-size with what, why and how to fix', async () => {
    const bad = await run({ current: newKey }, ['--batch-size', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(
      /^error: --batch-size lots.*\n {2}why: .*\n {2}fix: usage: npm run secrets:rotate/,
    );
  });
});
