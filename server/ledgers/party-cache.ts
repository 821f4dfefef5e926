import { createHash } from 'node:crypto';
import type { Db } from '../db/database.js';
import type { PartyDetails } from '../db/schema.js';
import type { Ledger, LedgerDocument, LedgerDocumentRef, Party } from './ledger.js';
import { LedgerError } from './ledger-error.js';
import { changedPartyDetails, partyDetailsOf } from './party-fingerprint.js';

/**
 * CW company -> ledger party id, per ledger connection (table `ledger_parties`). Without it every
 * push asks the ledger for its customer or vendor again (QBO 1-2 queries, Xero 1-2 GETs). A row is
 * what the ledger once answered, and the details (name, email, address) we last wrote to that party.
 */
export interface PartyStore {
  get(
    kind: Party['kind'],
    cwId: string,
  ): Promise<{ ledgerId: string; details: PartyDetails | null } | undefined>;
  remember(kind: Party['kind'], cwId: string, ledgerId: string, details: PartyDetails | null): Promise<void>;
  /**
   * Keeps the details now on the party (while the row still names `ledgerId`), with an audit event
   * when they were written to the ledger (or refused there): who, which party, from what, to what.
   */
  noteDetails(
    kind: Party['kind'],
    cwId: string,
    ledgerId: string,
    details: PartyDetails,
    audit?: { kind: 'party_updated' | 'party_update_refused'; detail: Record<string, unknown> },
  ): Promise<void>;
  /** Drops the row, but only while it still names `ledgerId` (another process may have renewed it). */
  forget(kind: Party['kind'], cwId: string, ledgerId: string): Promise<void>;
}

export function ledgerPartyStore(db: Db, connectionId: string): PartyStore {
  return {
    async get(kind, cwId) {
      const row = await db
        .selectFrom('ledger_parties')
        .select(['ledger_id', 'sent_details'])
        .where('connection_id', '=', connectionId)
        .where('kind', '=', kind)
        .where('cw_id', '=', cwId)
        .executeTakeFirst();
      return row && { ledgerId: row.ledger_id, details: row.sent_details };
    },
    async remember(kind, cwId, ledgerId, details) {
      const sent = details && JSON.stringify(details);
      await db
        .insertInto('ledger_parties')
        .values({ connection_id: connectionId, kind, cw_id: cwId, ledger_id: ledgerId, sent_details: sent })
        .onConflict((oc) =>
          oc
            .columns(['connection_id', 'kind', 'cw_id'])
            .doUpdateSet({ ledger_id: ledgerId, sent_details: sent, updated_at: new Date() }),
        )
        .execute();
    },
    async noteDetails(kind, cwId, ledgerId, details, audit) {
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable('ledger_parties')
          .set({ sent_details: JSON.stringify(details), updated_at: new Date() })
          .where('connection_id', '=', connectionId)
          .where('kind', '=', kind)
          .where('cw_id', '=', cwId)
          .where('ledger_id', '=', ledgerId)
          .execute();
        if (!audit) return;
        // Not one record's event: the party serves every record of the company (record_id null).
        await tx
          .insertInto('record_events')
          .columns(['tenant_id', 'record_id', 'actor', 'kind', 'detail'])
          .expression(
            tx
              .selectFrom('ledger_connections')
              .select((eb) => [
                'tenant_id',
                eb.val(null).as('record_id'),
                eb.val('ledgerpod').as('actor'),
                eb.val(audit.kind).as('kind'),
                eb
                  .val(
                    JSON.stringify({
                      connectionId,
                      party: { kind, cwId, ledgerId },
                      ...audit.detail,
                    }),
                  )
                  .as('detail'),
              ])
              .where('id', '=', connectionId),
          )
          .execute();
      });
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
    // A party found rather than created keeps what the books hold; CW's later changes are written.
    // Details not read from CW's company are not kept: the first push that reads them keeps them.
    await parties.remember(party.kind, party.cwId, id, party.fromCompany ? partyDetailsOf(party) : null);
    return id;
  }

  /**
   * Writes CW's changed details onto the stored party, by its id: only when they differ from what
   * we last wrote, so an unchanged company costs no ledger call. A refusal by the ledger (a name
   * another party holds) is kept in the audit trail and does not stop the push: the document still
   * goes to the right party, under its old name. A party the ledger no longer has (`ledger_not_found`)
   * is dropped from the cache and resolved afresh, as a refused document write would be (`write`),
   * and that id is answered. Anything else (timeout, 5xx) is thrown, and the push retries; the
   * ledger's own keys make the write safe to repeat.
   */
  async function refresh(
    party: Party,
    cached: { ledgerId: string; details: PartyDetails | null },
    key: string,
  ): Promise<string | undefined> {
    if (!party.fromCompany) return;
    const details = partyDetailsOf(party);
    // A row from before details were kept: we do not know what was written, so nothing is.
    if (!cached.details) {
      await parties.noteDetails(party.kind, party.cwId, cached.ledgerId, details);
      return;
    }
    const changed = changedPartyDetails(cached.details, details);
    if (changed.length === 0) return;
    const detail = { changed, from: cached.details, to: details };
    try {
      await ledger.updateParty(
        cached.ledgerId,
        party,
        `${key}-details-${digest(cached.details)}-${digest(details)}`,
      );
    } catch (error) {
      if (error instanceof LedgerError && error.code === 'ledger_not_found') {
        await parties.forget(party.kind, party.cwId, cached.ledgerId);
        return resolve(party, `${key}-after-${cached.ledgerId}`);
      }
      if (!(error instanceof LedgerError) || !refusals.has(error.code)) throw error;
      await parties.noteDetails(party.kind, party.cwId, cached.ledgerId, details, {
        kind: 'party_update_refused',
        detail: { ...detail, reason: error.providerMessage ?? error.message },
      });
      return;
    }
    await parties.noteDetails(party.kind, party.cwId, cached.ledgerId, details, {
      kind: 'party_updated',
      detail,
    });
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
      if ((await parties.get(party.kind, party.cwId))?.ledgerId !== partyId || !ensureKey) throw error;
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
      let pending = resolving.get(slot(party));
      if (!pending) {
        pending = (async () => {
          const cached = await parties.get(party.kind, party.cwId);
          if (!cached) return resolve(party, key);
          return (await refresh(party, cached, key)) ?? cached.ledgerId;
        })().finally(() => resolving.delete(slot(party)));
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

/** A ledger's refusals of a party update before writing anything: a name taken (Xero says "unique"). */
const refusals = new Set<string>(['ledger_validation', 'ledger_duplicate_number']);

/** A short key of the details, so each distinct change is its own idempotent write. */
const digest = (details: PartyDetails) =>
  createHash('sha256').update(JSON.stringify(details)).digest('hex').slice(0, 16);
