import { afterAll, beforeAll, expect, it } from 'vitest';
import { api } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * Issue 12: real QBO refuses `AcctNum` in a query (400, 4001), and so does the simulator now; the
 * first push for a customer new to QBO used to fail there. End to end through node-quickbooks.
 */
let world: PipelineWorld;
beforeAll(async () => {
  world = await startPipelineWorld('qbo');
});
afterAll(() => world?.close());

it('an invoice for a customer new to QBO ends right: the customer created once, the invoice created', async () => {
  const company = { id: 7701, identifier: 'OHareSons', name: "O'Hare \\ Sons" };
  await world.seedInvoices([invoice(7702, 'NEW-7702', { company }), invoice(7703, 'NEW-7703', { company })]);
  await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/records/invoice/7702/sync');
  const first = await world.waitForState(7702, ['synced', 'error']);
  expect(first.error).toBeNull();
  // Forget the stored ledger id, so the second push must find the customer by its name again.
  await world.pod.database.db.deleteFrom('ledger_parties').where('cw_id', '=', '7701').execute();
  await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/records/invoice/7703/sync');
  const second = await world.waitForState(7703, ['synced', 'error']);
  expect(second.error).toBeNull();

  const state = (await (await fetch(`${world.ledgerSim.url}/__sim/state`)).json()) as any;
  const realm = state.realms[world.ledgerSim.externalId];
  const customers = (realm.Customer as any[]).filter((c) => c.DisplayName === "O'Hare \\ Sons");
  expect(customers).toHaveLength(1);
  const invoices = (realm.Invoice as any[]).filter((i) => ['NEW-7702', 'NEW-7703'].includes(i.DocNumber));
  expect(invoices).toHaveLength(2);
  expect(invoices.every((i) => i.CustomerRef.value === customers[0].Id)).toBe(true);
});
