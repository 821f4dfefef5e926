import type { PartyDetails } from '../db/schema.js';
import type { Party } from './ledger.js';

/**
 * What a ledger party shows of a CW company: its name, email and address, the details Ledgerpod
 * writes. Pure. Kept beside the party's ledger id (ledger_parties.sent_details), it tells a push
 * whether the company changed in CW since we last wrote it, without asking the ledger.
 */
export function partyDetailsOf(party: Party): PartyDetails {
  const address = Object.fromEntries(
    Object.entries(party.address ?? {})
      .map(([key, value]) => [key, (value ?? '').trim()] as const)
      .filter(([, value]) => value !== '')
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return {
    name: party.name.trim(),
    email: party.email?.trim() || null,
    address: Object.keys(address).length > 0 ? address : null,
  };
}

/** Which details differ (name, email, address), for the audit trail; empty when none. Pure. */
export function changedPartyDetails(before: PartyDetails, after: PartyDetails): string[] {
  return (['name', 'email', 'address'] as const).filter(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
}
