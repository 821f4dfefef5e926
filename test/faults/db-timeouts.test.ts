import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cw-tenant.js';
import { noRealPostgres, realPostgresUrl } from '../support/real-postgres.js';
import { startTwoTenantWorld, type TwoTenantWorld } from '../support/two-tenants.js';

/**
 * Issue 18, finding 12: a status read waited 29 s on a locked table. A web process's sessions carry
 * a short lock wait and statement limit (DB_WEB_LOCK_TIMEOUT_MS, DB_WEB_STATEMENT_TIMEOUT_MS), and a
 * read cut off by them is a clear, retryable 503.
 */
const serverUrl = await realPostgresUrl();
if (!serverUrl) console.warn(`db-timeouts.test.ts ${noRealPostgres}`);

describe.skipIf(!serverUrl)('a status read on a locked table fails fast with a 503', () => {
  let w: TwoTenantWorld;
  beforeAll(async () => {
    // The world's database is made on this server (test-database.ts reads DATABASE_URL).
    process.env.DATABASE_URL = serverUrl;
    w = await startTwoTenantWorld({
      env: { DB_WEB_LOCK_TIMEOUT_MS: '500', DB_WEB_STATEMENT_TIMEOUT_MS: '3000' },
    });
  });
  afterAll(() => w?.close());

  const read = () => api(w.pod.url, w.b.token.viewer, 'GET', `/api/v1/records/invoice/${w.ofB.recordCwId}`);

  it('answers 503 database_busy within a second or two while records is locked, 200 after', async () => {
    expect((await read()).status).toBe(200);
    const locker = new pg.Client({ connectionString: w.pod.database.url });
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table records in access exclusive mode');
    // Without limits the read would wait for the lock: it is let go after 15 s either way.
    const release = setTimeout(() => void locker.query('rollback'), 15_000);
    try {
      const started = Date.now();
      const locked = await read();
      const tookMs = Date.now() - started;
      expect(locked.status).toBe(503);
      expect(locked.body.error).toMatchObject({
        code: 'database_busy',
        hint: expect.stringMatching(/again/),
      });
      expect(tookMs).toBeLessThan(3_000);
    } finally {
      clearTimeout(release);
      await locker.query('rollback').catch(() => undefined);
      await locker.end();
    }
    expect((await read()).status).toBe(200);
  });
});
