import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startEmbeddedPostgres } from '../../server/db/embedded-postgres.js';

describe('embedded Postgres under concurrent clients', () => {
  let server: PostgresServer;
  let pool: pg.Pool;
  beforeAll(async () => {
    server = await startEmbeddedPostgres();
    pool = new pg.Pool({ connectionString: server.url, max: 10 });
    await pool.query('create table counters (id int primary key, n int not null)');
    await pool.query('insert into counters values (1, 0)');
  });
  afterAll(async () => {
    await pool.end();
    await server.stop();
  });

  it('keeps each connection’s parameterised statements apart', async () => {
    // Different parameter counts on many connections at once: interleaved protocol messages
    // would bind one client's values to another's statement.
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        i % 3 === 0
          ? pool.query('select $1::int + $2::int as s', [i, 1]).then((r) => Number(r.rows[0].s) === i + 1)
          : i % 3 === 1
            ? pool.query('select $1::int * 2 as s', [i]).then((r) => Number(r.rows[0].s) === i * 2)
            : pool
                .query('select $1::text || $2::text || $3::text as s', ['a', String(i), 'z'])
                .then((r) => r.rows[0].s === `a${i}z`),
      ),
    );
    expect(results.every(Boolean)).toBe(true);
  });

  it('keeps transactions whole while other connections keep asking', async () => {
    const increments = Array.from({ length: 40 }, async () => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const { rows } = await client.query('select n from counters where id = $1 for update', [1]);
        await new Promise((resolve) => setTimeout(resolve, 2));
        await client.query('update counters set n = $1 where id = $2', [rows[0].n + 1, 1]);
        await client.query('commit');
      } finally {
        client.release();
      }
    });
    const noise = Array.from({ length: 100 }, (_, i) => pool.query('select $1::int as v', [i]));
    await Promise.all([...increments, ...noise]);
    const { rows } = await pool.query('select n from counters where id = 1');
    expect(rows[0].n).toBe(40);
  });
});
