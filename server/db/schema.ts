import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Fix } from '../../contract/differences.js';
import type { RecordError, Unmapped } from '../../contract/problems.js';
import type { RecordState, RecordType } from '../../contract/records.js';

/** Row types of the tables in migrations/. Keep in step with the SQL. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp column with a database default (now()). */
type TimestampWithDefault = ColumnType<Date, Date | string | undefined, Date | string>;
/** bigint columns come back from pg as strings; money and ids are handled as bigint in code. */
type BigIntColumn = ColumnType<string, string | number | bigint, string | number | bigint>;
type BigIntWithDefault = ColumnType<string, string | number | bigint | undefined, string | number | bigint>;
type Json<T> = ColumnType<T, string | T, string | T>;

/** server/pipeline/map/rounding.ts RoundingNote, as stored. */
export interface RoundingNoteColumn {
  currency: string;
  cw: string;
  booked: string;
  difference: string;
  line: string;
  message: string;
}
type JsonWithDefault<T> = ColumnType<T, string | T | undefined, string | T>;

// Declared once in the API contract, which the pod reads too.
export type { RecordState, RecordType } from '../../contract/records.js';

// The ledger kinds are the contract's (contract/ledger-kinds.ts), shared with the pod.
import type { LedgerKind } from '../../contract/ledger-kinds.js';

export type { LedgerKind };

/** A record's stored failure (records.last_error): the API's RecordError, stored as it is answered. */
export type StoredError = RecordError;

/** A CW GL account or tax code that has no mapping in the ledger connection the record routes to. */
export type UnmappedKey = Unmapped;

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
  /** When the last full payments check (QBO CDC, Xero poll) finished (migrations/0023). */
  payments_checked_at: Timestamp | null;
  /** When a webhook last named this connection (migrations/0023). */
  ledger_event_at: Timestamp | null;
  /** QBO: how the company takes tax, read at connect time (see migrations/0010). */
  tax_setup: Json<ConnectionTaxSetup> | null;
  created_at: TimestampWithDefault;
  updated_at: TimestampWithDefault;
}

/** What a QBO company's Preferences and CompanyInfo say about tax; stored on its connection. */
export interface ConnectionTaxSetup {
  model: 'us' | 'global' | 'no_tax';
  country: string;
  automatedSalesTax: boolean;
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
  /** CW's sales tax on an invoice or credit memo, read with its total (migration 0027). */
  tax_minor: BigIntColumn | null;
  balance_minor: BigIntWithDefault;
  state: Generated<RecordState>;
  connection_id: string | null;
  ledger_kind: LedgerKind | null;
  ledger_id: string | null;
  ledger_number: string | null;
  ledger_total_minor: BigIntColumn | null;
  ledger_balance_minor: BigIntColumn | null;
  ledger_status: string | null;
  /** When the stored ledger balance was read (its read's start): older reads never overwrite (0020). */
  ledger_read_at: Timestamp | null;
  ledger_url: string | null;
  cw_batch_id: BigIntColumn | null;
  cw_batch_identifier: string | null;
  gl_entry_ids: ColumnType<string[], (string | number)[] | undefined, (string | number)[]>;
  last_error: Json<StoredError> | null;
  /** The onboarding run that batched this record (or failed to): history, never pushed (0009). */
  onboarding_run_id: string | null;
  /** Set when the books hold a rounding line or a total other than CW's exact one (0011). */
  rounding: Json<RoundingNoteColumn> | null;
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
  from_state: RecordState | null;
  to_state: RecordState | null;
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
  /** cwPaymentsPerInvoice 'one': the CW payment's amount before this row's share (migration 0012). */
  cw_before_minor: BigIntColumn | null;
  state: Generated<'pending' | 'written' | 'deleted' | 'voided' | 'error'>;
  last_error: Json<StoredError> | null;
  /** The writer holding the row while it writes it to CW (migration 0024). */
  claimed_at: Timestamp | null;
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
  /** The member who started the run (0009). */
  started_by: Generated<string>;
}

export interface WebhookEventsTable {
  provider: 'connectwise' | LedgerKind;
  event_id: string;
  tenant_id: string | null;
  received_at: TimestampWithDefault;
}

/** ConnectWise callbacks as they arrived, drained by a job (migration 0019). */
export interface ConnectWiseCallbackInboxTable {
  id: Generated<string>;
  tenant_id: string;
  message_id: string;
  type: string;
  action: string;
  entity_id: BigIntColumn;
  received_at: TimestampWithDefault;
  claimed_at: Timestamp | null;
  processed_at: Timestamp | null;
}

export type CallbackWatchState = 'healthy' | 're-enabled' | 'registered' | 'failed';

/** The callback watchdog's last finding per tenant (migration 0019). */
export interface ConnectWiseCallbackWatchTable {
  tenant_id: string;
  callback_id: BigIntColumn | null;
  state: CallbackWatchState;
  checked_at: TimestampWithDefault;
  repaired_at: Timestamp | null;
  repaired_problem: 'disabled' | 'missing' | null;
  backfilled_through: Timestamp | null;
  backfilled_count: ColumnType<number, number | undefined, number>;
  last_error: Json<StoredError> | null;
}

/** CW company -> ledger party id per connection (migration 0007): a cache of what the ledger said. */
/** What ledger_parties keeps of a party's details (server/ledgers/party-fingerprint.ts). */
export interface PartyDetails {
  name: string;
  email: string | null;
  address: Record<string, string> | null;
}

export interface LedgerPartiesTable {
  connection_id: string;
  kind: 'customer' | 'vendor';
  cw_id: string;
  ledger_id: string;
  updated_at: TimestampWithDefault;
  /** The party details (name, email, address) last written or found (migration 0026); null before. */
  sent_details: ColumnType<PartyDetails | null, string | null | undefined, string | null>;
}

/** The drift check's last finding per synced record (migration 0024, server/reconcile/). */
export interface RecordDriftTable {
  record_id: string;
  tenant_id: string;
  connection_id: string | null;
  company_id: BigIntColumn | null;
  checked_at: TimestampWithDefault;
  cw_balance_minor: BigIntColumn;
  ledger_balance_minor: BigIntColumn | null;
  /** server/reconcile/drift.ts Difference[], as stored. */
  differences: JsonWithDefault<StoredDifference[]>;
  difference_count: ColumnType<number, number | undefined, number>;
}

/** One correction of a synced invoice (migration 0025, server/correction/). */
export interface CorrectionsTable {
  id: Generated<string>;
  tenant_id: string;
  record_id: string;
  status: Generated<'running' | 'done' | 'failed'>;
  step: Generated<string>;
  started_by: string;
  preview: JsonWithDefault<Record<string, unknown>>;
  last_error: Json<StoredError> | null;
  created_at: TimestampWithDefault;
  updated_at: TimestampWithDefault;
  finished_at: Timestamp | null;
}

/** A payment or credit allocation a correction took off the document and puts back (migration 0025). */
export interface CorrectionSettlementsTable {
  id: Generated<string>;
  correction_id: string;
  kind: 'payment' | 'credit';
  ledger_id: string;
  credit_id: string | null;
  credit_number: string | null;
  amount_minor: BigIntColumn;
  decimals: number;
  currency: string;
  paid_on: ColumnType<Date, string | Date, string | Date>;
  account_code: string | null;
  reference: string | null;
  state: Generated<'saved' | 'removed' | 'restored'>;
  restored_id: string | null;
  updated_at: TimestampWithDefault;
}

/** server/reconcile/drift.ts Difference, as stored. */
export interface StoredDifference {
  code: string;
  cause: string;
  fix: Fix | undefined;
  cwMinor?: string;
  ledgerMinor?: string;
}

export interface CallRatesTable {
  key: string;
  tat: TimestampWithDefault;
  last_token: string | null;
  updated_at: TimestampWithDefault;
}

/** Outside calls per budget key and period (migration 0022, metering/call-meter.ts). */
export interface CallCountsTable {
  key: string;
  /** metering/periods.ts MeterPeriod. */
  period: string;
  period_start: Timestamp;
  /** bigint: the pg driver hands it back as a string. */
  calls: ColumnType<string, number | string, number | string>;
  updated_at: TimestampWithDefault;
}

/** Networks a member signed in from with ConnectWise's confirmation (migration 0028, auth/sign-in-sources.ts). */
export interface SignInSourcesTable {
  tenant_id: string;
  /** unauthenticated-budget.ts sourceOf: an IPv4 address or an IPv6 /64. */
  source: string;
  /** Lower-cased ConnectWise member identifier. */
  member_id: string;
  verified_at: TimestampWithDefault;
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
  call_counts: CallCountsTable;
  sign_in_sources: SignInSourcesTable;
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
  connectwise_callback_inbox: ConnectWiseCallbackInboxTable;
  connectwise_callback_watch: ConnectWiseCallbackWatchTable;
  record_drift: RecordDriftTable;
  corrections: CorrectionsTable;
  correction_settlements: CorrectionSettlementsTable;
}

export type Tenant = Selectable<TenantsTable>;
type NewTenant = Insertable<TenantsTable>;
type TenantUpdate = Updateable<TenantsTable>;
export type LedgerConnection = Selectable<LedgerConnectionsTable>;
export type RecordRow = Selectable<RecordsTable>;
export type RecordEvent = Selectable<RecordEventsTable>;
