import type { CorrectionAnswer } from '../../../contract/correction.js';
import { type AuthorizedFetch, call } from './client.js';

export type { CorrectionAnswer } from '../../../contract/correction.js';

const at = (cwId: string | number) =>
  `/api/v1/records/invoice/${encodeURIComponent(String(cwId))}/correction`;

export const readCorrection = (f: AuthorizedFetch, cwId: string | number) =>
  call<CorrectionAnswer>(f, 'GET', at(cwId));
export const startCorrection = (f: AuthorizedFetch, cwId: string | number) =>
  call<CorrectionAnswer>(f, 'POST', at(cwId), {});
