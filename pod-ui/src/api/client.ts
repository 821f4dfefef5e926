import type { Problem } from '../../../contract/problems.js';
import { expiredSession } from '../ui/session-expired.js';

/** A request the backend answered with `{error}` (or not at all); shown with its message and hint. */
export class ApiError extends Error {
  readonly code: string;
  readonly hint?: string;
  constructor(
    readonly status: number,
    problem: Problem,
  ) {
    super(problem.message);
    this.code = problem.code;
    this.hint = problem.hint;
  }
}

export type AuthorizedFetch = (path: string, init?: RequestInit) => Promise<Response>;

/** One JSON call; non-2xx answers become an ApiError carrying the backend's code and hint. */
export async function call<T>(
  fetcher: AuthorizedFetch,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  let response: Response;
  try {
    response = await fetcher(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    // The session could not be renewed: ConnectWise no longer vouches for the member. Not a network
    // problem, and "could not be reached" would send them checking their connection.
    if (typeof (error as { code?: unknown } | null)?.code === 'string')
      throw new ApiError(401, expiredSession);
    throw new ApiError(0, {
      code: 'network',
      message: 'Ledgerpod could not be reached.',
      hint: 'Check your connection, then try again.',
    });
  }
  const data = (await response.json().catch(() => undefined)) as { error?: Problem } | undefined;
  if (response.ok) return data as T;
  throw new ApiError(
    response.status,
    data?.error ?? {
      code: `http_${response.status}`,
      message: `Ledgerpod answered HTTP ${response.status}.`,
    },
  );
}

/** Builds `?a=1&b=2` from the defined, non-empty values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
