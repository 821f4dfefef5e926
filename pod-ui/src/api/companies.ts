import type { CompanySummary } from '../../../contract/records.js';
import { type AuthorizedFetch, call } from './client.js';

export const getCompanySummary = (f: AuthorizedFetch, cwId: string | number) =>
  call<CompanySummary>(f, 'GET', `/api/v1/companies/${encodeURIComponent(String(cwId))}/summary`);
