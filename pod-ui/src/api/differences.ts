import type { CompanyDifferences, DifferenceRow, RecordDifferences } from '../../../contract/differences.js';
import type { RecordType } from '../../../contract/records.js';
import { type AuthorizedFetch, call } from './client.js';

export type {
  CompanyDifferences,
  Difference,
  DifferenceRow,
  RecordDifferences,
} from '../../../contract/differences.js';

const at = (type: RecordType, cwId: string | number) =>
  `/api/v1/records/${encodeURIComponent(type)}/${encodeURIComponent(String(cwId))}/differences`;

export const checkDifferences = (f: AuthorizedFetch, type: RecordType, cwId: string | number) =>
  call<RecordDifferences>(f, 'POST', `${at(type, cwId)}/check`, {});
export const fixDifference = (
  f: AuthorizedFetch,
  type: RecordType,
  cwId: string | number,
  fix: { code: string; ref: string },
) => call<RecordDifferences>(f, 'POST', `${at(type, cwId)}/fix`, fix);
export const listDifferences = (f: AuthorizedFetch) =>
  call<{ records: DifferenceRow[] }>(f, 'GET', '/api/v1/differences');
export const getCompanyDifferences = (f: AuthorizedFetch, companyId: string | number) =>
  call<CompanyDifferences>(
    f,
    'GET',
    `/api/v1/companies/${encodeURIComponent(String(companyId))}/differences`,
  );
