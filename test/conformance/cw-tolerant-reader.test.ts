import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConnectWiseError, createConnectWiseClient } from '../../server/connectwise/index.js';
import * as schemas from '../../server/connectwise/schemas.js';
import { storedErrorOf } from '../../server/records/stored-error.js';
import { rawText } from './support/corpus.js';

/**
 * Issue 12, "be a tolerant reader" on the ConnectWise side: a field the product does not use never
 * refuses a record; a field it uses accepts the type CW's own types give it, and otherwise fails
 * with cw_bad_response naming the field (code, message, hint). The invoice files are the real
 * invoice 206 of invoices-get.zynk.xml with fields added or changed (PROVENANCE.md).
 */

const repo = fileURLToPath(new URL('../..', import.meta.url));
const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
const productSource = ['server', 'pod-ui/src', 'manifest']
  .flatMap((dir) => sourceFiles(join(repo, dir)))
  .filter((path) => !path.endsWith('server/connectwise/schemas.ts'))
  .map((path) => readFileSync(path, 'utf8'))
  .join('\n');

describe('the ConnectWise schemas declare only what the product reads', () => {
  const declared = Object.entries(schemas).flatMap(([name, schema]) =>
    schema instanceof z.ZodObject ? Object.keys(schema.shape).map((field) => [name, field] as const) : [],
  );

  it('covers every read schema', () => {
    expect(declared.length).toBeGreaterThan(100);
  });

  // A declared field is checked, so one nobody reads could refuse a record for nothing.
  it('every declared field is read somewhere in server/, pod-ui/ or manifest/', () => {
    const unread = declared.filter(([, field]) => !new RegExp(`\\b${field}\\b`).test(productSource));
    expect(unread).toEqual([]);
  });
});

describe('ConnectWise answers with extra and odd fields, over HTTP through the product client', () => {
  let server: Server;
  let invoiceBody = '{}';
  let client: ReturnType<typeof createConnectWiseClient>;
  beforeAll(async () => {
    const companyInfo = rawText('connectwise/company-info-get.djcw.json');
    const billingStatuses = JSON.stringify([{ id: 3, name: 'Closed', closedFlag: true }]);
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      // The client reads the billing status table to tell a closed invoice (billing-statuses.ts).
      const url = req.url ?? '';
      res.end(
        url.startsWith('/login/companyinfo/')
          ? companyInfo
          : url.includes('/finance/billingStatuses')
            ? billingStatuses
            : invoiceBody,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = createConnectWiseClient({
      site: new URL(origin).host,
      companyId: 'CW',
      publicKey: 'pub',
      privateKey: 'priv',
      clientId: 'client',
      apiOrigin: origin,
      retry: { baseDelayMs: 10, maxDelayMs: 50 },
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fields the product does not use, of any type, and fields CW may add, refuse nothing', async () => {
    invoiceBody = rawText('connectwise/invoice-get-extra-fields.json');
    const invoice = await client.getInvoice(206);
    expect(invoice).toMatchObject({
      id: 206,
      invoiceNumber: '197',
      type: 'Miscellaneous',
      total: 444,
      company: { id: 143, identifier: 'TESTNEW' },
    });
    // Unknown fields are kept as sent (loose), not dropped or coerced.
    expect((invoice as Record<string, unknown>).newFieldFromAFutureRelease).toEqual({
      nested: [1, 'two', null],
    });
  });

  it.each([
    ['connectwise/invoice-get-bad-total.json', 'total', /expected number/],
    ['connectwise/invoice-get-bad-company-id.json', 'company.id', /expected number/],
  ])('%s: a used field of another type is a cw_bad_response naming %s', async (file, field, why) => {
    invoiceBody = rawText(file);
    const error = await client.getInvoice(206).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectWiseError);
    expect(error).toMatchObject({ code: 'cw_bad_response', field, ambiguous: false, retryable: false });
    expect((error as Error).message).toContain(`field ${field}:`);
    expect((error as Error).message).toMatch(why);
    // On a record: the catalogue's code, a message naming the field, and a hint.
    const stored = storedErrorOf(error);
    expect(stored).toMatchObject({ code: 'cw_bad_response', retryable: false });
    expect(stored.message).toContain(`field ${field}:`);
    expect(stored.hint).toMatch(/fields Ledgerpod does not use are never checked/);
  });
});
