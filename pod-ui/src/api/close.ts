import type { CloseView, Period } from '../../../contract/close.js';
import type { Problem } from '../../../contract/problems.js';
import { ApiError, type AuthorizedFetch, call, query } from './client.js';

export type { CloseConnection, CloseView, Period } from '../../../contract/close.js';

export const getClose = (f: AuthorizedFetch, period: Period) =>
  call<CloseView>(f, 'GET', `/api/v1/close${query({ ...period })}`);

/** The evidence of a period as text (CSV or the printable page); a refusal is an ApiError as ever. */
export async function getEvidence(
  f: AuthorizedFetch,
  period: Period,
  format: 'csv' | 'html',
): Promise<string> {
  const response = await f(`/api/v1/close/evidence.${format}${query({ ...period })}`);
  if (response.ok) return response.text();
  const data = (await response.json().catch(() => undefined)) as { error?: Problem } | undefined;
  throw new ApiError(
    response.status,
    data?.error ?? {
      code: `http_${response.status}`,
      message: `Ledgerpod answered HTTP ${response.status}.`,
    },
  );
}
