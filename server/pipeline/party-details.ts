import type { Company, ConnectWiseClient } from '../connectwise/index.js';
import type { LedgerDocument, Party } from '../ledgers/ledger.js';

/**
 * The party as CW's company shows it now: its current name, invoice email and address. Pure. A
 * field CW leaves empty is left out (never written as a blank over what the books hold).
 */
export function partyWithCompany(party: Party, company: Company): Party {
  const address = {
    line1: company.addressLine1 || undefined,
    line2: company.addressLine2 || undefined,
    city: company.city || undefined,
    region: company.state || undefined,
    postalCode: company.zip || undefined,
    country: company.country?.name || undefined,
  };
  return {
    ...party,
    name: company.name || party.name,
    email: company.invoiceToEmailAddress || party.email,
    ...(Object.values(address).some(Boolean) ? { address } : {}),
    fromCompany: true,
  };
}

/**
 * The document with its party's details read from CW (`GET /company/companies/{id}`: one CW call a
 * push, no ledger call), so the party cache can tell a company renamed or moved in CW since we last
 * wrote it (party-cache.ts). A party that is not a CW company (an expense's member) or a company CW
 * no longer has keeps what the GL export said.
 */
export async function withCompanyDetails<D extends LedgerDocument>(
  cw: Pick<ConnectWiseClient, 'getCompany'>,
  document: D,
): Promise<D> {
  if (document.type === 'journal') return document;
  const id = Number(document.party.cwId);
  if (!/^\d+$/.test(document.party.cwId) || id <= 0) return document;
  const company = await cw.getCompany(id);
  if (!company) return document;
  return { ...document, party: partyWithCompany(document.party, company) };
}
