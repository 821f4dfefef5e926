import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface RunningSim {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Listens on loopback (port 0 picks a free one) and closes every open connection on close. */
export async function listen(app: Express, port = 0, host = '127.0.0.1'): Promise<RunningSim> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
