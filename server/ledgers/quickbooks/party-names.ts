import type { Party } from '../ledger.js';

/** QBO display names: no ':' (it means sub-customer), no curly quotes, at most 100 characters. */
export const maxDisplayNameLength = 100;

export function cleanDisplayName(name: string): string {
  return name
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s*:\s*/g, ' - ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, maxDisplayNameLength);
}

/**
 * DisplayName is unique across customers, vendors and employees. When another kind already holds
 * the name, we add a suffix naming our kind, then a counter: "Acme (customer)", "Acme (customer 2)".
 */
export function displayNameCandidates(name: string, kind: 'customer' | 'vendor', count = 5): string[] {
  const base = cleanDisplayName(name);
  const suffixed = (suffix: string) => `${base.slice(0, maxDisplayNameLength - suffix.length - 1)} ${suffix}`;
  return [
    base,
    suffixed(`(${kind})`),
    ...Array.from({ length: count - 2 }, (_, i) => suffixed(`(${kind} ${i + 2})`)),
  ];
}

/** A string literal in QBO's query language: quotes escaped with a backslash. */
export const queryLiteral = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** What a party look-up needs of a QBO Customer or Vendor row. */
export interface PartyRow {
  Id: string;
  DisplayName: string;
  AcctNum?: string | undefined;
  Notes?: string | undefined;
}

/**
 * Of the rows found under our candidate names, ours: the one we created for this CW company (its
 * Notes name it) or holding its account number, else the earliest candidate name present. QBO
 * compares names without case (the simulator follows), so the match here does too. Pure.
 */
export function pickParty<T extends PartyRow>(
  rows: readonly T[],
  candidates: readonly string[],
  party: { cwId: string; accountNumber: string | undefined },
): T | undefined {
  const ours = rows.find(
    (row) =>
      (party.cwId && row.Notes === `ConnectWise company ${party.cwId}`) ||
      (party.accountNumber && row.AcctNum === party.accountNumber),
  );
  if (ours) return ours;
  for (const name of candidates) {
    const row = rows.find((r) => r.DisplayName.toLowerCase() === name.toLowerCase());
    if (row) return row;
  }
  return undefined;
}

/**
 * The party's email and address as a QBO Customer or Vendor carries them (Finance.xsd: PrimaryEmailAddr
 * is an EmailAddress, BillAddr a PhysicalAddress with Line1, Line2, City, CountrySubDivisionCode,
 * PostalCode, Country). Pure. Only what CW gave is sent, so a sparse update leaves the rest alone.
 */
export function qboPartyDetails(party: Party): Record<string, unknown> {
  const a = party.address;
  const address = a && {
    ...(a.line1 ? { Line1: a.line1 } : {}),
    ...(a.line2 ? { Line2: a.line2 } : {}),
    ...(a.city ? { City: a.city } : {}),
    ...(a.region ? { CountrySubDivisionCode: a.region } : {}),
    ...(a.postalCode ? { PostalCode: a.postalCode } : {}),
    ...(a.country ? { Country: a.country } : {}),
  };
  return {
    ...(party.email ? { PrimaryEmailAddr: { Address: party.email } } : {}),
    ...(address && Object.keys(address).length > 0 ? { BillAddr: address } : {}),
  };
}
