import { type AuthorizedFetch, call } from './client.js';
import type { CompanySummary } from './types.js';

export const getCompanySummary = (f: AuthorizedFetch, cwId: string | number) =>
  call<CompanySummary>(f, 'GET', `/api/v1/companies/${encodeURIComponent(String(cwId))}/summary`);
