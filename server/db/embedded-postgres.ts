import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Runs PGlite (Postgres compiled to WASM) in this process and serves it on a loopback port, so
 * `pg`, Kysely and pg-boss talk to it exactly as to a real server. `dataDir` undefined keeps it
 * in memory (tests); otherwise the data persists there.
 */
export async function startEmbeddedPostgres(dataDir?: string): Promise<PostgresServer> {
  if (dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = await PGlite.create(dataDir);
  // The socket server multiplexes client connections onto PGlite's single session.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
