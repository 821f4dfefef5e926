import type { z } from 'zod';
import { type BooksLock, laterLock } from '../books-lock.js';
import type { XeroApi } from './api.js';
import { envelope, fromMsDate, organisationWire } from './wire.js';

const dayOf = (value: string | undefined): string | undefined => {
  if (!value) return undefined;
  try {
    return fromMsDate(value).slice(0, 10);
  } catch {
    // An unreadable date is taken as none shown: Xero still refuses a locked document by itself.
    return undefined;
  }
};

/**
 * The organisation's lock: the later of its period lock and end-of-year lock dates (books-lock.ts
 * says why both bind). Pure.
 */
export function lockOfOrganisation(organisation: z.infer<typeof organisationWire>): BooksLock | undefined {
  const period = dayOf(organisation.PeriodLockDate);
  const endOfYear = dayOf(organisation.EndOfYearLockDate);
  return laterLock([
    period ? { through: period, what: "Xero's period lock date" } : undefined,
    endOfYear ? { through: endOfYear, what: "Xero's end of year lock date" } : undefined,
  ]);
}

/** The organisation's lock from a read of /Organisation: the Xero ledger's books lock (ledger-registry.ts). */
export async function readOrganisationLock(xero: XeroApi): Promise<BooksLock | undefined> {
  const body = await xero.call(envelope('Organisations', organisationWire), (api, t) =>
    api.getOrganisations(t),
  );
  const [organisation] = body.Organisations;
  return organisation ? lockOfOrganisation(organisation) : undefined;
}
