import type { LedgerKind } from '../../../contract/records.js';
import type {
  Connection,
  CwLocation,
  DailyStat,
  Health,
  Mapping,
  MappingKind,
  MappingSet,
  Option,
  SecurityRole,
  Settings,
} from './admin-types.js';
import { type AuthorizedFetch, call, query } from './client.js';

export const listConnections = (f: AuthorizedFetch) =>
  call<{ connections: Connection[] }>(f, 'GET', '/api/v1/connections');

export const authorizeConnection = (f: AuthorizedFetch, kind: LedgerKind) =>
  call<{ url: string; ticket: string }>(f, 'POST', `/api/v1/connections/${kind}/authorize`, {});

export const deleteConnection = (f: AuthorizedFetch, id: string) =>
  call<unknown>(f, 'DELETE', `/api/v1/connections/${encodeURIComponent(id)}`);

export const putRouting = (f: AuthorizedFetch, id: string, cwLocationIds: number[], isDefault: boolean) =>
  call<unknown>(f, 'PUT', `/api/v1/connections/${encodeURIComponent(id)}/routing`, {
    cwLocationIds,
    isDefault,
  });

export const getMappings = (f: AuthorizedFetch, connectionId: string) =>
  call<MappingSet>(f, 'GET', `/api/v1/mappings${query({ connectionId })}`);

export const getMappingOptions = (f: AuthorizedFetch, connectionId: string, kind: MappingKind) =>
  call<{ options: Option[] }>(f, 'GET', `/api/v1/mappings/options${query({ connectionId, kind })}`);

export const putMapping = (
  f: AuthorizedFetch,
  body: { connectionId: string; kind: MappingKind; cwKey: string; ledgerKey: string },
) => call<{ mapping: Mapping }>(f, 'PUT', '/api/v1/mappings', body);

/** The backend answers `{settings}`, with fields the form does not edit (lastSweepAt...). */
export const getSettings = async (f: AuthorizedFetch): Promise<Settings> =>
  editable((await call<{ settings: Settings }>(f, 'GET', '/api/v1/settings')).settings);

/** Sends only the fields the form edits: the backend refuses unknown ones, and keeps what is left out. */
export const putSettings = async (f: AuthorizedFetch, settings: Settings): Promise<Settings> =>
  editable((await call<{ settings: Settings }>(f, 'PUT', '/api/v1/settings', editable(settings))).settings);

const editable = ({
  roleMap,
  syncOnClose,
  syncWhenFixed,
  sweepMinutes,
  batchPrefix,
  roundingLimit,
  cwPaymentsPerInvoice,
}: Settings): Settings => ({
  roleMap,
  syncOnClose,
  syncWhenFixed,
  sweepMinutes,
  batchPrefix,
  roundingLimit,
  cwPaymentsPerInvoice,
});

export const listSecurityRoles = (f: AuthorizedFetch) =>
  call<{ roles: SecurityRole[] }>(f, 'GET', '/api/v1/settings/security-roles');

/** ConnectWise's locations, which a connection's routing names. */
export const listLocations = (f: AuthorizedFetch) =>
  call<{ locations: CwLocation[] }>(f, 'GET', '/api/v1/settings/locations');

export const getDailyStats = (f: AuthorizedFetch, days = 14) =>
  call<{ days: DailyStat[] }>(f, 'GET', `/api/v1/stats/daily${query({ days })}`);

export const getHealth = (f: AuthorizedFetch) => call<Health>(f, 'GET', '/api/v1/admin/health');

export const checkCallback = (f: AuthorizedFetch) =>
  call<{ queued: boolean }>(f, 'POST', '/api/v1/admin/health/callback-check', {});

export const checkPayments = (f: AuthorizedFetch) =>
  call<{ queued: boolean }>(f, 'POST', '/api/v1/payments/sync', {});
