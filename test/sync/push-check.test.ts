import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredError } from '../../server/db/schema.js';
import type { LedgerKind } from '../../server/ledgers/ledger.js';
import { maxDocNumberLength } from '../../server/ledgers/quickbooks/mapping.js';
import { XERO_LIMITS } from '../../server/ledgers/xero/mapping.js';
import type { PushCheck } from '../../server/pipeline/push-check.js';
import { api } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * The check before a push (POST /api/v1/records/:type/:cwId/check, server/pipeline/push-check.ts), the
 * one the pod runs on ConnectWise's beforeSave, over real HTTP against the CW simulator and each
 * ledger's: every reason a push would fail is listed, each once, and each single reason is the very
 * code a push of the same invoice then fails with (the check and the push agree). A clean invoice
 * shows the document the push then creates.
 */

/** The shortest number the target ledger refuses as too long. */
const tooLong: Record<LedgerKind, number> = {
  qbo: maxDocNumberLength + 1,
  xero: XERO_LIMITS.documentNumber + 1,
};
const numberOf = (prefix: string, length: number) => prefix.padEnd(length, '0');
/** A line the demo mappings (test/support/ledger-sim-wiring.ts) leave unmapped. */
const unmappedLine = (accountNumber: string) => ({
  description: `Work booked to ${accountNumber}`,
  quantity: 1,
  unitPrice: 100,
  accountNumber,
});

describe.each(['qbo', 'xero'] as const)('the check before a push, %s', (kind) => {
  let world: PipelineWorld;
  const longNumber = numberOf(`LONG-${kind}-`, tooLong[kind]);
  beforeAll(async () => {
    world = await startPipelineWorld(kind);
    await world.seedInvoices([
      invoice(8101, 'PC-8101'),
      invoice(8102, longNumber),
      invoice(8103, 'PC|8103'),
      invoice(8104, 'PC-8104', {
        lines: [
          { description: 'Hardware', quantity: 1, unitPrice: 250, accountNumber: '4000' },
          { description: 'Returned hardware', quantity: 1, unitPrice: -250, accountNumber: '4000' },
        ],
      }),
      invoice(8105, 'PC-8105', {
        lines: [{ description: 'Refund', quantity: 1, unitPrice: -40, accountNumber: '4000' }],
      }),
      // Several problems at once: `|`, too long for the ledger, two unmapped GL accounts (one on two
      // lines) and an unmapped tax code.
      invoice(8106, numberOf('MULTI|8106-', tooLong[kind]), {
        taxCode: { id: 19, name: 'County' },
        lines: [unmappedLine('4998'), unmappedLine('4999'), unmappedLine('4999')],
      }),
      invoice(8107, "PC-O'8107"),
      invoice(8108, numberOf('OPEN-8108-', tooLong[kind]), { closed: false }),
    ]);
  });
  afterAll(() => world?.close());

  const check = async (cwId: number) => {
    const res = await api(
      world.pod.url,
      world.token.accountant,
      'POST',
      `/api/v1/records/invoice/${cwId}/check`,
      {},
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.check as PushCheck;
  };
  const codesOf = (problems: StoredError[]) => problems.map((p) => p.code);
  /** Pushes the invoice and answers the code it failed with. */
  const pushFails = async (cwId: number) => {
    expect((await world.pushRecord('invoice', cwId)).status).toBe(202);
    const view = await world.waitForRecord('invoice', cwId, ['error', 'synced'], 45_000);
    expect(view.state, JSON.stringify(view)).toBe('error');
    return view.error!.code as string;
  };
  const booked = async (number: string) =>
    (await world.ledgerDocuments('invoice')).filter((d) => d.number === number);

  it('a clean invoice: nothing stops it, and the preview is the document its push creates', async () => {
    const result = await check(8101);
    expect(result).toEqual({
      posted: false,
      problems: [],
      document: {
        ledger: kind,
        connectionName: world.connection.name,
        type: 'invoice',
        number: 'PC-8101',
        party: expect.any(String),
        currency: 'USD',
        total: '1658.93',
        tax: '126.43',
        lines: 2,
      },
    });
    expect(await booked('PC-8101')).toHaveLength(0);
    expect((await world.pushRecord('invoice', 8101)).status).toBe(202);
    await world.waitForRecord('invoice', 8101, ['synced'], 45_000);
    const [document] = await booked('PC-8101');
    expect(document?.total).toBe(1658.93);
    // Pushed, it is in its batch: a check finds nothing left to do.
    expect(await check(8101)).toEqual({ posted: true, problems: [], document: null });
  });

  it(`a number of ${tooLong[kind]} characters, one over what ${kind} allows, and the push refuses it alike`, async () => {
    const result = await check(8102);
    expect(result.document).toBeNull();
    expect(codesOf(result.problems)).toContain('document_number_too_long');
    const problem = result.problems.find((p) => p.code === 'document_number_too_long')!;
    expect(problem.message).toMatch(new RegExp(`${tooLong[kind]} characters; .*${tooLong[kind] - 1}`));
    if (kind === 'qbo') expect(codesOf(result.problems)).toEqual(['document_number_too_long']);
    // Xero's limit (255) is past ConnectWise's 50-character batch identifier, so such a number is
    // first refused for its batch: the push stops there, and the check lists both.
    else expect(codesOf(result.problems)).toEqual(['batch_identifier_too_long', 'document_number_too_long']);
    expect(await pushFails(8102)).toBe(result.problems[0]!.code);
    expect(await booked(longNumber)).toHaveLength(0);
  });

  it('a | in the number, which ConnectWise refuses to batch', async () => {
    const result = await check(8103);
    expect(codesOf(result.problems)).toEqual(['invalid_batch_character']);
    expect(result.problems[0]!.message).toContain('PC|8103');
    // The document itself would be fine: the check shows it, and only the batch stops the push.
    expect(result.document).toMatchObject({ number: 'PC|8103' });
    expect(await pushFails(8103)).toBe('invalid_batch_character');
  });

  it("a ' in an invoice number stops nothing (ConnectWise refuses it in inventory adjustments only)", async () => {
    const result = await check(8107);
    expect(result.problems).toEqual([]);
    expect(result.document).toMatchObject({ number: "PC-O'8107" });
    expect((await world.pushRecord('invoice', 8107)).status).toBe(202);
    await world.waitForRecord('invoice', 8107, ['synced'], 45_000);
    expect(await booked("PC-O'8107")).toHaveLength(1);
  });

  it('a zero total and a negative total', async () => {
    const zero = await check(8104);
    expect(codesOf(zero.problems)).toEqual(['zero_total']);
    expect(zero.document).toBeNull();
    expect(await pushFails(8104)).toBe('zero_total');

    const negative = await check(8105);
    expect(codesOf(negative.problems)).toEqual(['negative_total']);
    expect(negative.problems[0]!.hint).toContain('credit memo');
    expect(await pushFails(8105)).toBe('negative_total');
    expect(await booked('PC-8104')).toHaveLength(0);
    expect(await booked('PC-8105')).toHaveLength(0);
  });

  it('several problems at once are all listed, each once, each unmapped code once with its kind', async () => {
    const result = await check(8106);
    expect(codesOf(result.problems)).toEqual([
      'invalid_batch_character',
      ...(kind === 'xero' ? ['batch_identifier_too_long'] : []),
      'mappings_missing',
      // Judged though the mapping already stops the document: the number is refused whatever is mapped.
      'document_number_too_long',
    ]);
    const mapping = result.problems.find((p) => p.code === 'mappings_missing')!;
    // In the order the lines meet them; each once.
    expect(mapping.unmapped).toHaveLength(3);
    expect(mapping.unmapped).toEqual(
      expect.arrayContaining([
        { connectionId: world.connection.id, kind: 'gl_account', cwKey: '4998' },
        { connectionId: world.connection.id, kind: 'gl_account', cwKey: '4999' },
        { connectionId: world.connection.id, kind: 'tax_code', cwKey: 'County' },
      ]),
    );
    expect(mapping.message.match(/4999/g)).toHaveLength(1);
    expect(mapping.message).toContain('GL accounts "4998" and "4999"');
    expect(mapping.message).toContain('tax code "County"');
    expect(result.document).toBeNull();
    // A push stops at the first of them.
    expect(await pushFails(8106)).toBe('invalid_batch_character');
  });

  it('an open invoice (not exported by ConnectWise yet) still has its number judged, then not closed', async () => {
    const result = await check(8108);
    expect(codesOf(result.problems)).toEqual([
      ...(kind === 'xero' ? ['batch_identifier_too_long'] : []),
      'document_number_too_long',
      // Not closed comes last: on ConnectWise's Save it is often the change being saved.
      'not_closed',
    ]);
    expect(result.document).toBeNull();
    expect(await pushFails(8108)).toBe('not_closed');
  });
});
