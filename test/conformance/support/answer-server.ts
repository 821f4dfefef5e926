import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP server that answers every request with one stored answer (a corpus body), so
 * the real SDKs (node-quickbooks, xero-node) receive a real published body over real HTTP.
 */
export async function answerServer() {
  let answer = {
    status: 200,
    contentType: 'application/json',
    body: '{}',
    headers: {} as Record<string, string>,
  };
  const requests: { method: string; url: string }[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '' });
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'content-type': answer.contentType, ...answer.headers });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer(
      status: number,
      body: string,
      contentType = 'application/json',
      headers: Record<string, string> = {},
    ) {
      answer = { status, body, contentType, headers };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
