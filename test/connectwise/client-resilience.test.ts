import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectWiseError, createConnectWiseClient, invoiceSchema } from '../../server/connectwise/index.js';
import { buildInvoiceWithGl, seedWith, testApiMember, testClientId } from '../../sim/connectwise/index.js';
import { listen } from '../../sim/kit/listen.js';
import { type SimAndClient, startSimAndClient } from './support.js';

const built = buildInvoiceWithGl({
  number: 'INV-9001',
  lines: [{ description: 'Labor', quantity: 3, unitPrice: 150 }],
});

async function caught(promise: Promise<unknown>): Promise<ConnectWiseError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConnectWiseError) return error;
    throw error;
  }
  throw new Error('expected a ConnectWiseError');
}

describe('ConnectWise client against the simulator', () => {
  let cw: SimAndClient;
  beforeEach(async () => {
    cw = await startSimAndClient(seedWith([built]), { timeoutMs: 300 });
  });
  afterEach(() => cw.close());

  it('discovers the codebase from companyinfo', async () => {
    expect(await cw.client.companyInfo()).toMatchObject({
      Codebase: 'v4_6_release/',
      CompanyID: 'ledgerpod',
    });
  });

  it('pages through more than 1,000 records following Link rel=next', async () => {
    const many = Array.from({ length: 2500 }, (_, i) => ({
      ...built.invoice,
      id: 100_000 + i,
      invoiceNumber: `BULK-${i}`,
    }));
    cw.sim.state.seed({ invoices: many });
    const sizes: number[] = [];
    for await (const page of cw.client.pages('/finance/invoices', invoiceSchema, {
      conditions: 'invoiceNumber like "BULK-%"',
    })) {
      sizes.push(page.length);
    }
    expect(sizes).toEqual([1000, 1000, 500]);
    const all = await cw.client.listInvoices('invoiceNumber like "BULK-%"');
    expect(new Set(all.map((i) => i.id)).size).toBe(2500);
  });

  it('waits out a 429 for as long as Retry-After says', async () => {
    cw.sim.faults.add({
      method: 'GET',
      path: '*/finance/invoices/*',
      kind: 'http429',
      times: 1,
      retryAfterSeconds: 1,
      delayMs: 0,
    });
    const started = Date.now();
    const invoice = await cw.client.getInvoice(built.invoice.id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(invoice?.invoiceNumber).toBe('INV-9001');
  });

  it('retries a 500 on a GET', async () => {
    cw.sim.faults.add({
      method: 'GET',
      path: '*/finance/invoices/*',
      kind: 'http500',
      times: 2,
      retryAfterSeconds: 0,
      delayMs: 0,
    });
    expect((await cw.client.getInvoice(built.invoice.id))?.id).toBe(built.invoice.id);
    expect(cw.sim.traffic.snapshot().byRoute['GET /v4_6_release/apis/3.0/finance/invoices/{id}']).toBe(3);
  });

  it('retries a GET that times out', async () => {
    cw.sim.faults.add({
      method: 'GET',
      path: '*/unpostedinvoices',
      kind: 'timeout',
      times: 1,
      retryAfterSeconds: 0,
      delayMs: 5000,
    });
    const unposted = await cw.client.listUnposted('invoices');
    expect(unposted.map((u) => u.invoiceNumber)).toEqual(['INV-9001']);
  });

  it('reports a timed-out batch creation as ambiguous instead of retrying it', async () => {
    cw.sim.faults.add({
      method: 'POST',
      path: '*/accounting/batches',
      kind: 'timeout',
      times: 1,
      retryAfterSeconds: 0,
      delayMs: 5000,
    });
    const error = await caught(
      cw.client.createBatch({ batchIdentifier: 'LP-1', processedRecordIds: built.entryIds }),
    );
    expect(error).toMatchObject({ code: 'cw_timeout', retryable: true, ambiguous: true });
    expect(cw.sim.traffic.snapshot().byRoute['POST /v4_6_release/apis/3.0/finance/accounting/batches']).toBe(
      1,
    );
  });

  it('reports a lost answer to batch creation as ambiguous; the batch exists in CW', async () => {
    cw.sim.faults.add({
      method: 'POST',
      path: '*/accounting/batches',
      kind: 'drop_response_after_write',
      times: 1,
      retryAfterSeconds: 0,
      delayMs: 0,
    });
    const error = await caught(
      cw.client.createBatch({ batchIdentifier: 'LP-2', processedRecordIds: built.entryIds }),
    );
    expect(error).toMatchObject({ code: 'cw_network', retryable: true, ambiguous: true });
    const state = (await cw.control('/state')) as { batches: { batchIdentifier: string }[] };
    expect(state.batches.map((b) => b.batchIdentifier)).toEqual(['LP-2']);
    // The engine's re-check: the batch can be found by identifier before any retry.
    expect((await cw.client.findBatch('LP-2'))?.batchIdentifier).toBe('LP-2');
    expect(await cw.client.countUnposted('invoices')).toBe(0);
  });

  it('carries CW error code and message on refusals', async () => {
    const error = await caught(cw.client.createBatch({ batchIdentifier: 'LP-3', processedRecordIds: [1] }));
    expect(error).toMatchObject({
      code: 'cw_invalid_request',
      status: 400,
      cwCode: 'InvalidObject',
      retryable: false,
    });
    expect(error.message).toContain('GL entry 1 does not exist');
  });

  it('maps wrong API keys to cw_unauthorized', async () => {
    const client = createConnectWiseClient({ ...baseConfig(cw), privateKey: 'wrong' });
    expect(await caught(client.listTaxCodes())).toMatchObject({ code: 'cw_unauthorized', status: 401 });
  });

  it('reports an unknown company id at discovery', async () => {
    const client = createConnectWiseClient({ ...baseConfig(cw), companyId: 'nobody' });
    expect(await caught(client.companyInfo())).toMatchObject({ code: 'cw_unknown_company' });
  });
});

function baseConfig(cw: SimAndClient) {
  return {
    site: `127.0.0.1:${cw.port}`,
    companyId: testApiMember.companyId,
    publicKey: testApiMember.publicKey,
    privateKey: testApiMember.privateKey,
    clientId: testClientId,
    apiOrigin: cw.url,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
  };
}

describe('ConnectWise client against a misbehaving server', () => {
  it('turns malformed responses into cw_bad_response', async () => {
    const app = express();
    let codebase = 'v4_6_release/';
    app.get('/login/companyinfo/:id', (_req, res) => {
      res.json({ CompanyName: 'X', Codebase: codebase, CompanyID: 'ledgerpod' });
    });
    app.get('/v4_6_release/apis/3.0/finance/invoices/1', (_req, res) => {
      res.type('application/json').send('{"id": 1, "invoiceNu');
    });
    app.get('/v4_6_release/apis/3.0/finance/invoices/2', (_req, res) => {
      res.json({ id: 'two', invoiceNumber: 5 });
    });
    app.get('/v4_6_release/apis/3.0/finance/taxCodes', (_req, res) => {
      res.json({ not: 'a list' });
    });
    app.get('/v4_6_release/apis/3.0/company/companies/1', (_req, res) => {
      // After an upgrade the old codebase answers 404; the client must re-discover it once.
      codebase = 'v2025_1/';
      res.status(404).json({ code: 'NotFound', message: 'gone' });
    });
    app.get('/v2025_1/apis/3.0/company/companies/1', (_req, res) => {
      res.json({ id: 1, identifier: 'A', name: 'A Inc' });
    });
    const server = await listen(app);
    try {
      const client = createConnectWiseClient({ ...baseConfigFor(server.url) });
      expect(await caught(client.getInvoice(1))).toMatchObject({ code: 'cw_bad_response', retryable: false });
      const wrongShape = await caught(client.getInvoice(2));
      expect(wrongShape.code).toBe('cw_bad_response');
      expect(wrongShape.message).toContain('id');
      expect(await caught(client.listTaxCodes())).toMatchObject({ code: 'cw_bad_response' });
      expect(await client.getCompany(1)).toMatchObject({ identifier: 'A' });
    } finally {
      await server.close();
    }
  });
});

function baseConfigFor(url: string) {
  return {
    site: url.replace('http://', ''),
    companyId: 'ledgerpod',
    publicKey: 'p',
    privateKey: 'k',
    clientId: testClientId,
    apiOrigin: url,
  };
}
