import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Row types of the tables in migrations/. Keep in step with the SQL. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp column with a database default (now()). */
type TimestampWithDefault = ColumnType<Date, Date | string | undefined, Date | string>;
/** bigint columns come back from pg as strings; money and ids are handled as bigint in code. */
type BigIntColumn = ColumnType<string, string | number | bigint, string | number | bigint>;
type BigIntWithDefault = ColumnType<string, string | number | bigint | undefined, string | number | bigint>;
type Json<T> = ColumnType<T, string | T, string | T>;
type JsonWithDefault<T> = ColumnType<T, string | T | undefined, string | T>;

export type RecordType = 'invoice' | 'credit_memo' | 'expense' | 'procurement' | 'adjustment';
export type RecordState =
  | 'unposted'
  | 'queued'
  | 'exported'
  | 'pushed'
  | 'synced'
  | 'partly_paid'
  | 'paid'
  | 'onboarded'
  | 'error'
  | 'not_closed'
  | 'unknown';
export type LedgerKind = 'qbo' | 'xero';

export interface StoredError {
  code: string;
  message: string;
  hint?: string;
  retryable: boolean;
  /** The CW codes a mapping failure lacks, so an admin can map them where the failure shows. */
  unmapped?: UnmappedKey[];
}

/** A CW GL account or tax code that has no mapping in the ledger connection the record routes to. */
export interface UnmappedKey {
  connectionId: string;
  kind: 'gl_account' | 'tax_code';
  cwKey: string;
}

export interface TenantsTable {
  id: Generated<string>;
  name: string;
  cw_site: string;
  cw_company_id: string;
  cw_api_url: string | null;
  cw_client_id: string;
  cw_keys_enc: string;
  settings: JsonWithDefault<Record<string, unknown>>;
  created_at: TimestampWithDefault;
  updated_at: TimestampWithDefault;
}

export interface LedgerConnectionsTable {
  id: Generated<string>;
  tenant_id: string;
  kind: LedgerKind;
  external_id: string;
  name: Generated<string>;
  tokens_enc: string;
  access_expires_at: Timestamp;
  status: Generated<'active' | 'needs_reconnect' | 'disconnected'>;
  status_reason: string | null;
  cw_location_ids: Generated<number[]>;
  is_default: Generated<boolean>;
  payments_cursor: Timestamp | null;
  created_at: TimestampWithDefault;
  updated_at: TimestampWithDefault;
}

export interface MappingsTable {
  id: Generated<string>;
  tenant_id: string;
  connection_id: string;
  kind: 'gl_account' | 'tax_code' | 'class' | 'item' | 'terms';
  cw_key: string;
  ledger_key: string;
  ledger_name: Generated<string>;
  updated_at: TimestampWithDefault;
}

export interface RecordsTable {
  id: Generated<string>;
  tenant_id: string;
  type: RecordType;
  cw_id: BigIntColumn;
  number: Generated<string>;
  record_date: ColumnType<Date | null, string | Date | null, string | Date | null>;
  company_id: BigIntColumn | null;
  company_name: Generated<string>;
  cw_location_id: number | null;
  currency: Generated<string>;
  decimals: Generated<number>;
  total_minor: BigIntWithDefault;
  balance_minor: BigIntWithDefault;
  state: Generated<RecordState>;
  connection_id: string | null;
  ledger_kind: LedgerKind | null;
  ledger_id: string | null;
  ledger_number: string | null;
  ledger_total_minor: BigIntColumn | null;
  ledger_balance_minor: BigIntColumn | null;
  ledger_status: string | null;
  ledger_url: string | null;
  cw_batch_id: BigIntColumn | null;
  cw_batch_identifier: string | null;
  gl_entry_ids: ColumnType<string[], (string | number)[] | undefined, (string | number)[]>;
  last_error: Json<StoredError> | null;
  version: Generated<number>;
  refreshed_at: Timestamp | null;
  created_at: TimestampWithDefault;
  updated_at: TimestampWithDefault;
}

export interface RecordEventsTable {
  id: Generated<BigIntColumn>;
  tenant_id: string;
  record_id: string | null;
  at: TimestampWithDefault;
  actor: string;
  kind: string;
  from_state: string | null;
  to_state: string | null;
  detail: JsonWithDefault<Record<string, unknown>>;
}

export interface PaymentsTable {
  id: Generated<string>;
  tenant_id: string;
  record_id: string;
  connection_id: string;
  ledger_payment_id: string;
  amount_minor: BigIntColumn;
  currency: string;
  paid_on: ColumnType<Date, string | Date, string | Date>;
  cw_payment_id: BigIntColumn | null;
  state: Generated<'pending' | 'written' | 'deleted' | 'error'>;
  last_error: Json<StoredError> | null;
  created_at: TimestampWithDefault;
  updated_at: TimestampWithDefault;
}

export interface CreditApplicationsTable {
  id: Generated<string>;
  tenant_id: string;
  connection_id: string;
  credit_record_id: string;
  invoice_record_id: string;
  cw_payment_id: BigIntColumn | null;
  amount_minor: BigIntColumn;
  currency: string;
  applied_on: ColumnType<Date, string | Date, string | Date>;
  state: Generated<'pending' | 'applying' | 'applied' | 'error'>;
  ledger_application_id: string | null;
  last_error: Json<StoredError> | null;
  claimed_at: Timestamp | null;
  created_at: TimestampWithDefault;
  updated_at: TimestampWithDefault;
}

export interface OnboardingRunsTable {
  id: Generated<string>;
  tenant_id: string;
  inputs: Json<Record<string, unknown>>;
  input_hash: string;
  state: Generated<'pending' | 'running' | 'done' | 'failed'>;
  total: Generated<number>;
  done: Generated<number>;
  failed: Generated<number>;
  by_type: JsonWithDefault<Record<string, unknown>>;
  errors: JsonWithDefault<unknown[]>;
  started_at: TimestampWithDefault;
  finished_at: Timestamp | null;
}

export interface WebhookEventsTable {
  provider: 'connectwise' | 'qbo' | 'xero';
  event_id: string;
  tenant_id: string | null;
  received_at: TimestampWithDefault;
}

/** CW company -> ledger party id per connection (migration 0007): a cache of what the ledger said. */
export interface LedgerPartiesTable {
  connection_id: string;
  kind: 'customer' | 'vendor';
  cw_id: string;
  ledger_id: string;
  updated_at: TimestampWithDefault;
}

export interface CallRatesTable {
  key: string;
  tat: TimestampWithDefault;
  last_token: string | null;
  updated_at: TimestampWithDefault;
}

export interface CallLeasesTable {
  key: string;
  slot: number;
  holder: string | null;
  expires_at: TimestampWithDefault;
}

export interface Database {
  call_rates: CallRatesTable;
  call_leases: CallLeasesTable;
  tenants: TenantsTable;
  ledger_connections: LedgerConnectionsTable;
  mappings: MappingsTable;
  records: RecordsTable;
  record_events: RecordEventsTable;
  payments: PaymentsTable;
  credit_applications: CreditApplicationsTable;
  onboarding_runs: OnboardingRunsTable;
  webhook_events: WebhookEventsTable;
  ledger_parties: LedgerPartiesTable;
}

export type Tenant = Selectable<TenantsTable>;
export type NewTenant = Insertable<TenantsTable>;
export type TenantUpdate = Updateable<TenantsTable>;
export type LedgerConnection = Selectable<LedgerConnectionsTable>;
export type RecordRow = Selectable<RecordsTable>;
export type RecordEvent = Selectable<RecordEventsTable>;
