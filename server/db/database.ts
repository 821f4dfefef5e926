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

const appliedTimeouts = Symbol('ledgerpod.appliedTimeouts');

export interface DatabaseHandle {
  db: Db;
  /**
   * This process's statement and lock-wait limits (config.dbTimeouts, by role), set on every
   * connection of the pool before its next query. Real PostgreSQL only: the embedded database
   * runs one session, where no two transactions ever wait on each other's locks.
   */
  setTimeouts(timeouts: { statementMs: number; lockMs: number }): void;
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
  // The pool listens for errors only on idle clients: a client in use whose server goes away emits
  // 'error' with no listener, which kills the process. Its query rejects anyway, and the pool drops
  // the broken client on release, so the event itself needs nothing more than a listener.
  pool.on('connect', (client) => client.on('error', () => undefined));
  if (!embedded) useNamedStatements(pool);
  let timeoutsSql: string | undefined;
  if (!embedded)
    pool.on('acquire', (client) => {
      const held = client as pg.PoolClient & { [appliedTimeouts]?: string };
      if (!timeoutsSql || held[appliedTimeouts] === timeoutsSql) return;
      held[appliedTimeouts] = timeoutsSql;
      // Queued before the caller's first query on this client (a client runs its queries in order).
      held.query(timeoutsSql).catch(() => {
        held[appliedTimeouts] = undefined;
      });
    });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    url,
    embedded: Boolean(embedded),
    setTimeouts({ statementMs, lockMs }) {
      const ms = (n: number) => Math.max(1, Math.round(n));
      timeoutsSql = `set statement_timeout = ${ms(statementMs)}; set lock_timeout = ${ms(lockMs)}`;
    },
    async close() {
      await db.destroy();
      await embedded?.stop();
    },
  };
}
