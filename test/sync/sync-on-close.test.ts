import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

describe('sync on close through a signed ConnectWise callback', () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld('qbo');
    await world.seedInvoices([
      invoice(9301, 'SOC-9301', { closed: false }),
      invoice(9302, 'SOC-9302', { closed: false }),
    ]);
    await world.pod.services.connectWise.for(world.tenant).registerCallback({
      description: 'Ledgerpod',
      url: `${world.pod.url}/webhooks/connectwise/${world.tenant.id}`,
      objectId: 0,
      type: 'invoice',
      level: 'owner',
    });
  }, 60_000);
  afterAll(() => world.close());

  const close = (id: number) => fetch(`${world.cw.url}/__sim/invoices/${id}/close`, { method: 'POST' });

  it('with the tenant toggle on, closing an invoice in ConnectWise puts it in the books', async () => {
    await world.pod.services.tenants.updateSettings(world.tenant.id, { syncOnClose: true });
    await close(9301);
    const view = await world.waitForState(9301, ['synced'], 30_000);
    expect(view.events.map((e: { actor: string }) => e.actor)).toContain('sync-on-close');
    expect(await world.ledgerSim.documentNumbers('invoice')).toEqual(['SOC-9301']);
  });

  it('with the toggle off, the callback only refreshes the record', async () => {
    await world.pod.services.tenants.updateSettings(world.tenant.id, { syncOnClose: false });
    await close(9302);
    const view = await world.waitForState(9302, ['unposted'], 30_000);
    expect(view.ledger).toBeNull();
    expect(view.record.number).toBe('SOC-9302');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await world.ledgerSim.documentNumbers('invoice')).toEqual(['SOC-9301']);
  });
});
