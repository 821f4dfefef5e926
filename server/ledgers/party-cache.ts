import type { Db } from '../db/database.js';
import type { Ledger, LedgerDocument, LedgerDocumentRef, Party } from './ledger.js';
import { LedgerError } from './ledger-error.js';

/**
 * CW company -> ledger party id, per ledger connection (table `ledger_parties`). Without it every
 * push asks the ledger for its customer or vendor again (QBO 1-2 queries, Xero 1-2 GETs). A row is
 * only what the ledger once answered: losing it costs a look-up, never a duplicate party.
 */
export interface PartyStore {
  get(kind: Party['kind'], cwId: string): Promise<string | undefined>;
  remember(kind: Party['kind'], cwId: string, ledgerId: string): Promise<void>;
  /** Drops the row, but only while it still names `ledgerId` (another process may have renewed it). */
  forget(kind: Party['kind'], cwId: string, ledgerId: string): Promise<void>;
}

export function ledgerPartyStore(db: Db, connectionId: string): PartyStore {
  return {
    async get(kind, cwId) {
      const row = await db
        .selectFrom('ledger_parties')
        .select('ledger_id')
        .where('connection_id', '=', connectionId)
        .where('kind', '=', kind)
        .where('cw_id', '=', cwId)
        .executeTakeFirst();
      return row?.ledger_id;
    },
    async remember(kind, cwId, ledgerId) {
      await db
        .insertInto('ledger_parties')
        .values({ connection_id: connectionId, kind, cw_id: cwId, ledger_id: ledgerId })
        .onConflict((oc) =>
          oc
            .columns(['connection_id', 'kind', 'cw_id'])
            .doUpdateSet({ ledger_id: ledgerId, updated_at: new Date() }),
        )
        .execute();
    },
    async forget(kind, cwId, ledgerId) {
      await db
        .deleteFrom('ledger_parties')
        .where('connection_id', '=', connectionId)
        .where('kind', '=', kind)
        .where('cw_id', '=', cwId)
        .where('ledger_id', '=', ledgerId)
        .execute();
    },
  };
}

/**
 * Whether a refused write may have been refused because its party no longer takes documents
 * (merged, archived or deleted in the ledger since we cached it). Pure. Both are refusals before
 * anything was written, so writing again with another party id cannot double a document.
 */
export const mayBeStaleParty = (error: unknown): boolean =>
  error instanceof LedgerError && (error.code === 'ledger_validation' || error.code === 'ledger_not_found');

/**
 * The ledger with `ensureParty` answered from the connection's party cache when it can. A write
 * refused while carrying a cached party id drops that row, resolves the party afresh (look-up or
 * create, as before the cache) and, when that gives another id, writes once more with it under a
 * key of its own. Every Ledger built by the registry has it, so every record type benefits.
 */
export function withPartyCache(ledger: Ledger, parties: PartyStore): Ledger {
  /** The idempotency key each party was ensured with, to resolve it again with the same key. */
  const ensureKeys = new Map<string, string>();
  /** Look-ups under way in this process: handlers starting together on one company share one. */
  const resolving = new Map<string, Promise<string>>();
  const slot = (party: Party) => `${party.kind}:${party.cwId}`;

  async function resolve(party: Party, key: string): Promise<string> {
    const id = await ledger.ensureParty(party, key);
    await parties.remember(party.kind, party.cwId, id);
    return id;
  }

  async function write(
    document: LedgerDocument,
    partyId: string | undefined,
    key: string,
    run: (partyId: string | undefined, key: string) => Promise<LedgerDocumentRef>,
  ): Promise<LedgerDocumentRef> {
    try {
      return await run(partyId, key);
    } catch (error) {
      if (document.type === 'journal' || !partyId || !document.party.cwId || !mayBeStaleParty(error))
        throw error;
      const { party } = document;
      const ensureKey = ensureKeys.get(slot(party));
      if ((await parties.get(party.kind, party.cwId)) !== partyId || !ensureKey) throw error;
      await parties.forget(party.kind, party.cwId, partyId);
      // A key of its own: the first key would make the ledger replay the party it created then.
      const fresh = await resolve(party, `${ensureKey}-after-${partyId}`);
      if (fresh === partyId) throw error;
      return run(fresh, `${key}-party-${fresh}`);
    }
  }

  return {
    ...ledger,
    async ensureParty(party, key) {
      // A party without a CW id cannot be keyed: look it up every time, as without the cache.
      if (!party.cwId) return ledger.ensureParty(party, key);
      ensureKeys.set(slot(party), key);
      const cached = await parties.get(party.kind, party.cwId);
      if (cached) return cached;
      let pending = resolving.get(slot(party));
      if (!pending) {
        pending = resolve(party, key).finally(() => resolving.delete(slot(party)));
        resolving.set(slot(party), pending);
      }
      return pending;
    },
    create: (document, partyId, key) =>
      write(document, partyId, key, (id, k) => ledger.create(document, id, k)),
    update: (existing, document, partyId, key) =>
      write(document, partyId, key, (id, k) => ledger.update(existing, document, id, k)),
  };
}
