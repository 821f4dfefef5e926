import type { Db } from '../db/database.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { ConnectionStore } from '../ledgers/connections/connection-store.js';
import type { LedgerFactory } from '../ledgers/ledger.js';
import type { RecordStore } from '../records/record-store.js';
import type { Logger } from '../shared/log.js';
import type { TenantConnectWise } from '../tenants/tenant-connectwise.js';
import type { TenantStore } from '../tenants/tenant-store.js';

/** What the workers share: the pipeline's, payments', drift checks' and corrections' jobs alike. */
export interface RecordJobDeps {
  db: Db;
  jobs: JobQueue;
  logger: Logger;
  records: RecordStore;
  tenants: TenantStore;
  connectWise: TenantConnectWise;
  connections: ConnectionStore;
  ledgers: LedgerFactory;
}
