import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnectWiseClient } from '../../../server/connectwise/index.js';
import { rawText } from './corpus.js';

export interface CwAnswer {
  status?: number;
  /** Raw body text (a corpus file's bytes); empty for none. */
  body?: string;
  headers?: Record<string, string>;
}

export interface SeenRequest {
  method: string;
  /** Path and query after `apis/3.0`, e.g. `/finance/glAccounts?page=1&pageSize=1000`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * A loopback ConnectWise that answers each `METHOD /path` (no query) with a stored answer, so the
 * product's own client reads a corpus body over real HTTP. `/login/companyinfo/` answers the real
 * django-connectwise companyinfo fixture; an answer may be a list of answers, served in turn.
 */
export async function cwAnswerServer() {
  const companyInfo = rawText('connectwise/company-info-get.djcw.json');
  const answers = new Map<string, CwAnswer[]>();
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      if (url.startsWith('/login/companyinfo/')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(companyInfo);
        return;
      }
      const path = url.replace(/^.*?\/apis\/3\.0/, '');
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      });
      const key = `${req.method} ${path.split('?')[0]}`;
      const queue = answers.get(key);
      const answer = queue && queue.length > 1 ? queue.shift()! : queue?.[0];
      if (!answer) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'NotFound', message: `no stored answer for ${key}` }));
        return;
      }
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = createConnectWiseClient({
    site: new URL(origin).host,
    companyId: 'CW',
    publicKey: 'pub',
    privateKey: 'priv',
    clientId: 'client',
    apiOrigin: origin,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
  });
  return {
    origin,
    client,
    requests,
    /** Serves `answer` (or each of several in turn, the last one then kept) for `METHOD /path`. */
    answer(key: string, ...answer: CwAnswer[]) {
      answers.set(key, answer);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
