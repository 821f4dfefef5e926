import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { buildProcurement } from '../../sim/connectwise/fixtures.js';
import {
  invoice,
  otherRecordMappings,
  type PipelineWorld,
  startPipelineWorld,
} from '../support/pipeline-world.js';

/**
 * Customers kept up to date in the books when ConnectWise changes them: a push of a record for a
 * company whose name, email or address changed since we last wrote its ledger party updates that
 * party by its stored id (QBO sparse update with SyncToken, Xero POST /Contacts by ContactID), never
 * creating a second one; an unchanged company costs no ledger call.
 */
type Traffic = { total: number; byRoute: Record<string, number> };

describe.each(['qbo', 'xero'] as const)('ledger parties follow ConnectWise companies (%s)', (kind) => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld(kind);
    await world.addMappings(otherRecordMappings[kind]);
  });
  afterAll(() => world.close());

  const traffic = async (): Promise<Traffic> =>
    (await fetch(`${world.ledgerSim.url}/__sim/traffic`)).json() as Promise<Traffic>;
  const partyRoutes = (before: Traffic, after: Traffic) =>
    Object.entries(after.byRoute)
      .filter(([route, n]) => n > (before.byRoute[route] ?? 0))
      .map(([route]) => route)
      .filter((route) => /customer|query|Contacts/i.test(route));

  /** The ledger's customers, as name, email and address, with the id each invoice names. */
  async function ledgerParties() {
    const state = (await world.ledgerSim.control('GET', '/__sim/state')) as any;
    if (kind === 'qbo') {
      const realm = Object.values(state.realms)[0] as Record<string, any[]>;
      return {
        parties: (realm.Customer ?? []).map((c) => ({
          id: String(c.Id),
          name: String(c.DisplayName),
          email: c.PrimaryEmailAddr?.Address,
          city: c.BillAddr?.City,
          line1: c.BillAddr?.Line1,
        })),
        partyOf: (number: string) =>
          String((realm.Invoice ?? []).find((i) => i.DocNumber === number)?.CustomerRef?.value),
      };
    }
    const books = Object.values(state.tenants)[0] as Record<string, any[]>;
    return {
      parties: (books.Contacts ?? []).map((c) => ({
        id: String(c.ContactID),
        name: String(c.Name),
        email: c.EmailAddress,
        city: c.Addresses?.[0]?.City,
        line1: c.Addresses?.[0]?.AddressLine1,
      })),
      partyOf: (number: string) =>
        String((books.Invoices ?? []).find((i) => i.InvoiceNumber === number)?.Contact?.ContactID),
    };
  }

  /** CW's company record as the push reads it (GET /company/companies/{id}), edited as in CW. */
  const setCompany = (
    company: { id: number; identifier: string; name: string },
    fields: Record<string, unknown>,
  ) => {
    // Kept here too: seeding an invoice seeds its company as the invoice names it (id and name only).
    const now = { ...edited.get(company.id), ...company, ...fields };
    edited.set(company.id, now);
    world.cw.sim.state.companies.set(company.id, now);
  };
  const edited = new Map<number, { id: number; identifier: string; name: string }>();

  async function pushAndSync(
    id: number,
    number: string,
    company: { id: number; identifier: string; name: string },
    fields: Record<string, unknown>,
  ) {
    await world.seedInvoices([invoice(id, number, { company })]);
    setCompany(company, fields);
    const before = await traffic();
    await world.pushRecord('invoice', id);
    const state = await world.waitForStateInDb(id, ['synced', 'error']);
    if (state !== 'synced') throw new Error(JSON.stringify((await world.record(id)).body.error));
    return partyRoutes(before, await traffic());
  }

  const partyEvents = async (cwId: string) =>
    (
      await world.pod.database.db
        .selectFrom('record_events')
        .select(['kind', 'detail', 'record_id'])
        .where('tenant_id', '=', world.tenant.id)
        .where('kind', 'in', ['party_updated', 'party_update_refused'])
        .execute()
    ).filter((e) => (e.detail as any).party?.cwId === cwId);

  it('a renamed customer is updated by its stored id, not duplicated; its email too', async () => {
    const company = { id: 7601, identifier: 'Renamer', name: 'Renamer Ltd' };
    await pushAndSync(7611, 'PU-7611', company, {
      invoiceToEmailAddress: 'ap@renamer.example',
      addressLine1: '1 Old Road',
      city: 'Tampa',
    });
    const first = await ledgerParties();
    const id = first.partyOf('PU-7611');
    expect(first.parties.filter((p) => p.id === id)).toEqual([
      expect.objectContaining({ name: 'Renamer Ltd', email: 'ap@renamer.example', city: 'Tampa' }),
    ]);

    const renamed = { ...company, name: 'Renamed Group' };
    const calls = await pushAndSync(7612, 'PU-7612', renamed, {
      invoiceToEmailAddress: 'billing@renamed.example',
    });
    const after = await ledgerParties();
    // The same party, renamed, and the second invoice on it; no party under either name besides.
    expect(after.partyOf('PU-7612')).toBe(id);
    expect(after.parties.filter((p) => /Renamer|Renamed/.test(p.name))).toEqual([
      expect.objectContaining({ id, name: 'Renamed Group', email: 'billing@renamed.example', city: 'Tampa' }),
    ]);
    // QBO: read for the SyncToken, then the sparse update; Xero: read by ContactID (an unknown one is
    // never posted: client.ts updateParty), then POST /Contacts. No look-up by name.
    expect(calls.sort()).toEqual(
      kind === 'qbo'
        ? ['GET /v3/company/:realm/customer/:id', 'POST /v3/company/:realm/customer']
        : ['GET /api.xro/2.0/Contacts/:id', 'POST /api.xro/2.0/Contacts'],
    );
    const events = await partyEvents('7601');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'party_updated',
      record_id: null,
      detail: {
        party: { kind: 'customer', ledgerId: id },
        changed: ['name', 'email'],
        from: { name: 'Renamer Ltd' },
        to: { name: 'Renamed Group', email: 'billing@renamed.example' },
      },
    });
  });

  it('an address change is written; an unchanged company costs no party call at all', async () => {
    const company = { id: 7602, identifier: 'Mover', name: 'Mover Inc' };
    await pushAndSync(7621, 'PU-7621', company, { addressLine1: '5 First St', city: 'Austin' });
    const moved = await pushAndSync(7622, 'PU-7622', company, {
      addressLine1: '9 Second Ave',
      city: 'Dallas',
    });
    expect(moved.length).toBeGreaterThan(0);
    const { parties, partyOf } = await ledgerParties();
    const id = partyOf('PU-7621');
    expect(partyOf('PU-7622')).toBe(id);
    expect(parties.filter((p) => p.name === 'Mover Inc')).toEqual([
      expect.objectContaining({ id, line1: '9 Second Ave', city: 'Dallas' }),
    ]);
    expect((await partyEvents('7602')).map((e) => (e.detail as any).changed)).toEqual([['address']]);

    // Nothing changed in CW since: the push makes no party call (the document create alone).
    const unchanged = await pushAndSync(7623, 'PU-7623', company, {});
    expect(unchanged).toEqual([]);
    expect(await partyEvents('7602')).toHaveLength(1);
  });

  it('a rename to a name another party holds never takes it: QBO suffixes ours, Xero refuses and we audit it', async () => {
    const other = { id: 7604, identifier: 'Taken', name: 'Taken Name Co' };
    await pushAndSync(7641, 'PU-7641', other, {});
    const company = { id: 7603, identifier: 'Clasher', name: 'Clasher Ltd' };
    await pushAndSync(7631, 'PU-7631', company, {});
    await pushAndSync(7632, 'PU-7632', { ...company, name: 'Taken Name Co' }, {});
    const { parties, partyOf } = await ledgerParties();
    const ours = partyOf('PU-7631');
    // Still two parties, the push on ours, the other party's name untouched.
    expect(partyOf('PU-7632')).toBe(ours);
    expect(
      parties.filter((p) => p.name.startsWith('Taken Name Co') || p.name === 'Clasher Ltd'),
    ).toHaveLength(2);
    expect(parties.find((p) => p.id === partyOf('PU-7641'))?.name).toBe('Taken Name Co');
    const [event] = await partyEvents('7603');
    if (kind === 'qbo') {
      // DisplayName is unique across customers, vendors and employees: the next candidate is taken.
      expect(parties.find((p) => p.id === ours)?.name).toBe('Taken Name Co (customer)');
      expect(event?.kind).toBe('party_updated');
    } else {
      // Xero's contact Name is unique: the update is refused, the push goes through under the old name.
      expect(parties.find((p) => p.id === ours)?.name).toBe('Clasher Ltd');
      expect(event).toMatchObject({
        kind: 'party_update_refused',
        detail: { changed: ['name'], reason: expect.stringContaining('already assigned to another contact') },
      });
    }
  });

  /*
   * The cached party id names nothing in the books any more (another organisation's id, a contact
   * merged away). What Xero does with a POST /Contacts by an unknown ContactID is a guess switch
   * (sim/xero/contact-routes.ts UnknownContactId): under each, the push reads the id, finds it gone,
   * drops the cache row and finds the party afresh (by its account number); no party is made by the
   * update. Xero only: QBO's parties cannot be found by account number (AcctNum is not queryable),
   * so a renamed customer whose id was lost is created again there.
   */
  const unknownIdSwitches = ['refuse', 'not-found', 'create'] as const;
  if (kind === 'xero')
    it.each(unknownIdSwitches)(
      'a cached party the books no longer hold is found afresh, never updated into a second one (switch %s)',
      async (unknownContactId) => {
        await world.ledgerSim.control('POST', '/__sim/behaviour', { unknownContactId });
        onTestFinished(async () => {
          await world.ledgerSim.control('POST', '/__sim/behaviour', { unknownContactId: 'refuse' });
        });
        const n = 7680 + unknownIdSwitches.indexOf(unknownContactId) * 3;
        const company = { id: n, identifier: `Vanisher${n}`, name: `Vanisher ${n} Ltd` };
        await pushAndSync(n + 1, `PU-${n + 1}`, company, {});
        const ours = (await ledgerParties()).partyOf(`PU-${n + 1}`);
        const gone = '00000000-0000-4000-8000-0000000dead0';
        await world.pod.database.db
          .updateTable('ledger_parties')
          .set({ ledger_id: gone })
          .where('cw_id', '=', String(n))
          .where('ledger_id', '=', ours)
          .execute();
        await pushAndSync(n + 2, `PU-${n + 2}`, { ...company, name: `Vanisher ${n} Group` }, {});
        const { parties, partyOf } = await ledgerParties();
        expect(partyOf(`PU-${n + 2}`)).toBe(ours);
        expect(parties.filter((p) => p.name.startsWith(`Vanisher ${n}`)).map((p) => p.id)).toEqual([ours]);
        const row = await world.pod.database.db
          .selectFrom('ledger_parties')
          .select('ledger_id')
          .where('cw_id', '=', String(n))
          .execute();
        expect(row.map((r) => r.ledger_id)).toEqual([ours]);
      },
    );

  it('a renamed vendor is updated the same way: one vendor, its second bill on it', async () => {
    const vendor = { id: 7660, identifier: 'PartsCo', name: 'Parts Co' };
    const pushPurchase = async (id: number, name: string) => {
      world.cw.sim.state.seed({
        procurement: [buildProcurement({ id, procurementType: 'Purchase', total: 80, vendor })],
      });
      setCompany({ ...vendor, name }, { invoiceToEmailAddress: 'ar@parts.example' });
      await world.pushRecord('procurement', id);
      await world.waitForRecord('procurement', id, ['synced']);
    };
    await pushPurchase(7661, 'Parts Co');
    await pushPurchase(7662, 'Parts Company International');
    const state = (await world.ledgerSim.control('GET', '/__sim/state')) as any;
    if (kind === 'qbo') {
      const realm = Object.values(state.realms)[0] as Record<string, any[]>;
      const vendors = (realm.Vendor ?? []).filter((v) => /^Parts/.test(v.DisplayName));
      expect(vendors.map((v) => v.DisplayName)).toEqual(['Parts Company International']);
      const bills = (realm.Bill ?? []).filter((b) => ['VI-7661', 'VI-7662'].includes(b.DocNumber));
      expect(bills.map((b) => b.VendorRef.value)).toEqual([vendors[0].Id, vendors[0].Id]);
    } else {
      const books = Object.values(state.tenants)[0] as Record<string, any[]>;
      const contacts = (books.Contacts ?? []).filter((c) => /^Parts/.test(c.Name));
      expect(contacts.map((c) => c.Name)).toEqual(['Parts Company International']);
      const bills = (books.Invoices ?? []).filter((b) => ['VI-7661', 'VI-7662'].includes(b.InvoiceNumber));
      expect(bills.map((b) => b.Contact.ContactID)).toEqual([contacts[0].ContactID, contacts[0].ContactID]);
    }
    expect((await partyEvents('7660')).map((e) => [e.kind, (e.detail as any).party.kind])).toEqual([
      ['party_updated', 'vendor'],
    ]);
  });
});
