import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import { ProtocolUnitQueue } from './protocol-unit-queue.js';

export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Runs PGlite (Postgres compiled to WASM) in this process and serves it on a loopback port, so
 * `pg`, Kysely and pg-boss talk to it exactly as to a real server. `dataDir` undefined keeps it
 * in memory (tests); otherwise the data persists there. Connections are pglite-socket's handlers
 * over our own queue, which keeps each client's protocol groups and transactions whole.
 */
export async function startEmbeddedPostgres(dataDir?: string): Promise<PostgresServer> {
  if (dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = await PGlite.create(dataDir);
  const queue = new ProtocolUnitQueue(db);
  const handlers = new Set<PGLiteSocketHandler>();
  const server: Server = createServer((socket) => {
    const handler = new PGLiteSocketHandler({
      queryQueue: queue as unknown as ConstructorParameters<typeof PGLiteSocketHandler>[0]['queryQueue'],
      closeOnDetach: true,
    });
    handlers.add(handler);
    const forget = () => handlers.delete(handler);
    handler.addEventListener('close', forget);
    handler.addEventListener('error', forget);
    handler.attach(socket).catch(() => {
      forget();
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    async stop() {
      await Promise.all([...handlers].map((h) => h.detach(true)));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}
