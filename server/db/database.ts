import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { useNamedStatements } from './prepared-statements.js';
import type { Database } from './schema.js';

// bigint (int8) stays a string so no id or amount is rounded through a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => value);
// date stays 'YYYY-MM-DD': a calendar date has no time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  /** A connection string other clients (pg-boss, worker processes) can use. */
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | undefined;
  /** Where the embedded database keeps its files; undefined keeps it in memory. */
  dataDir: string | undefined;
  poolSize?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const embedded = options.databaseUrl
    ? undefined
    : await startEmbeddedPostgres(options.dataDir && join(options.dataDir, 'pgdata'));
  const url = options.databaseUrl ?? embedded!.url;
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // An idle connection the server closed (restart, failover) must not crash the process; the pool
  // replaces it, and the next query on a broken one fails where it can be handled.
  pool.on('error', () => undefined);
  if (!embedded) useNamedStatements(pool);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    url,
    embedded: Boolean(embedded),
    async close() {
      await db.destroy();
      await embedded?.stop();
    },
  };
}
