import type { ConnectWiseClient } from '../connectwise/index.js';
import type { LedgerConnection, RecordRow, Tenant } from '../db/schema.js';
import type { Ledger } from '../ledgers/ledger.js';
import { PipelineError } from '../records/error-catalogue.js';
import { loadMappings, type Mappings } from '../records/mappings.js';
import { datedBeforeCutoff, onboardingCutoff } from '../records/onboarded-history.js';
import type { RecordStore } from '../records/record-store.js';
import type { RecordJobDeps } from './deps.js';

/** What one push of a record of any type needs, already resolved for its tenant. */
export interface PushContext {
  records: RecordStore;
  cw: ConnectWiseClient;
  batchPrefix: string;
  roundingLimit: string;
  actor: string;
  /**
   * The tenant's onboarding cutoff, and whether an admin confirmed booking this record anyway: a
   * record dated on or before the cutoff is history already in the books and is never booked by
   * accident (refusedAsHistory).
   */
  onboardingCutoff?: string;
  bookOld?: boolean;
  /** The ledger connection that books this record's CW location, with its ledger and mappings. */
  route(
    locationId: number | null,
  ): Promise<{ connection: LedgerConnection; ledger: Ledger; mappings: Mappings } | undefined>;
}

/** What a push of one of this tenant's records needs (also what a check before a push reads). */
export async function pushContextFor(
  deps: Pick<RecordJobDeps, 'db' | 'records' | 'tenants' | 'connectWise' | 'connections' | 'ledgers'>,
  tenant: Tenant,
  actor: string,
  options: { bookOld?: boolean } = {},
): Promise<PushContext> {
  const settings = deps.tenants.settingsOf(tenant);
  return {
    records: deps.records,
    cw: deps.connectWise.for(tenant),
    batchPrefix: settings.batchPrefix,
    roundingLimit: settings.roundingLimit,
    actor,
    onboardingCutoff: await onboardingCutoff(deps.db, tenant.id),
    bookOld: options.bookOld === true,
    async route(locationId) {
      const connection = await deps.connections.routeFor(tenant.id, locationId);
      if (!connection) return undefined;
      return {
        connection,
        ledger: deps.ledgers.for(connection),
        mappings: await loadMappings(deps.db, connection.id),
      };
    },
  };
}

/**
 * Refuses to create a ledger document for a record dated on or before the tenant's onboarding
 * cutoff unless an admin confirmed it: a record already booked (an update) is not history.
 */
export function refuseAsHistory(ctx: PushContext, record: RecordRow, label: string): void {
  if (ctx.bookOld || record.ledger_id) return;
  const date = dateOnly(record.record_date);
  if (datedBeforeCutoff(date, ctx.onboardingCutoff))
    throw new PipelineError(
      'before_onboarding_cutoff',
      `${label} (dated ${date}, cutoff ${ctx.onboardingCutoff})`,
    );
}

const dateOnly = (value: Date | string | null) =>
  value === null ? null : typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);
