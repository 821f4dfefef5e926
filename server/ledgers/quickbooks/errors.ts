import { retryAfterMs } from '../../outbound/retry-after.js';
import { LedgerError, type LedgerErrorCode } from '../ledger-error.js';

interface ProviderError {
  message: string;
  detail: string | undefined;
  code: string | undefined;
}

type Shape = {
  Fault?: { Error?: { Message?: string; Detail?: string; code?: string }[]; type?: string };
  fault?: { error?: { message?: string; detail?: string; code?: string }[]; type?: string };
  error?: string;
  error_description?: string;
};

/** QBO error codes that mean something other than "your data is wrong". */
const codeByProviderCode: Record<string, LedgerErrorCode> = {
  '6140': 'ledger_duplicate_number',
  '5010': 'ledger_stale_version',
  '610': 'ledger_not_found',
  // Account Period Closed: dated on or before the closing date. 6210 on Intuit's "Fix common API
  // errors" page and in a recorded fixture (fylein/fyle-qbo-api tests); Intuit's 2025 blog on
  // Preferences names it #6200.
  '6210': 'period_locked',
  '6200': 'period_locked',
  '3200': 'ledger_unauthorized',
  '3001': 'ledger_rate_limited',
  '003001': 'ledger_rate_limited',
};

const defaultRetryAfterMs = 60_000;

/**
 * Turns whatever node-quickbooks hands back into a LedgerError. It rejects with the response body
 * itself when QBO answers 200 with a Fault, and with an AxiosError (Fault at response.data) on 4xx/5xx.
 */
export function toLedgerError(error: unknown): LedgerError {
  if (error instanceof LedgerError) return error;
  const axiosLike = error as {
    isAxiosError?: boolean;
    code?: string;
    message?: string;
    response?: { status: number; data: unknown; headers?: Record<string, unknown> };
  };
  const response = axiosLike?.response;
  const status = response?.status;
  const body = (response ? response.data : error) as Shape | undefined;
  const provider = providerError(body);

  if (!response && axiosLike?.isAxiosError) {
    const timedOut = axiosLike.code === 'ECONNABORTED' || axiosLike.code === 'ETIMEDOUT';
    return new LedgerError({
      code: timedOut ? 'ledger_timeout' : 'ledger_unavailable',
      providerMessage: axiosLike.message ?? 'network error',
      providerCode: axiosLike.code,
      retryable: true,
      cause: error,
    });
  }
  if (!provider && status === undefined) {
    return new LedgerError({
      code: 'ledger_bad_response',
      providerMessage: error instanceof Error ? error.message : 'unexpected answer from QuickBooks',
      retryable: false,
      cause: error,
    });
  }
  const code = ledgerCode(status, provider?.code, body);
  if (isForbidden(status, provider?.code)) {
    // 403 / 3100 (ApplicationAuthorizationFailed): the token is valid but lacks the permission
    // (scope, or a sandbox company on the production URL). A refresh gives the same token rights,
    // so trying again only loops: the admin must reconnect (domain.md §8; real body in
    // test/conformance/quickbooks/forbidden-3100.json).
    return new LedgerError({
      code: 'ledger_unauthorized',
      providerMessage: `${[provider?.message, provider?.detail].filter(Boolean).join(': ') || 'HTTP 403 from QuickBooks'}. ${forbiddenHint}`,
      providerCode: provider?.code ?? '3100',
      retryable: false,
      status: status ?? 403,
      cause: error,
    });
  }
  const askedMs = retryAfterMs(response?.headers?.['retry-after']);
  return new LedgerError({
    code,
    providerMessage: provider
      ? [provider.message, provider.detail].filter(Boolean).join(': ')
      : `HTTP ${status ?? '?'} from QuickBooks`,
    providerCode: provider?.code,
    retryable: [
      'ledger_rate_limited',
      'ledger_unavailable',
      'ledger_timeout',
      'ledger_unauthorized',
    ].includes(code),
    retryAfterMs:
      code === 'ledger_rate_limited'
        ? askedMs !== undefined && askedMs > 0
          ? askedMs
          : defaultRetryAfterMs
        : undefined,
    status: status ?? 200,
    cause: error,
  });
}

/** What an admin does about a 403 / 3100; also the connection's status reason. */
export const forbiddenHint =
  'QuickBooks Online refused this app access to the company (403, ApplicationAuthorizationFailed): an admin must reconnect QuickBooks Online in the Ledgerpod admin tab, signed in as a QuickBooks user allowed to grant accounting access';

/**
 * 403 / 3100: authorised, but not allowed. Not fixed by a token refresh. Keyed on the code: QBO
 * also answers 403 with code 3001 ThrottleExceeded (quickbooks-ruby's recorded fixture,
 * test/conformance/quickbooks/throttle-exceeded-error.ruby.xml), which is a wait, not a reconnect.
 * A 403 with no code at all is taken as the permissions refusal.
 */
export const isForbidden = (status: number | undefined, providerCode: string | undefined) =>
  providerCode === '3100' || providerCode === '003100' || (status === 403 && providerCode === undefined);

function ledgerCode(
  status: number | undefined,
  providerCode: string | undefined,
  body: Shape | undefined,
): LedgerErrorCode {
  if (status === 401) return 'ledger_unauthorized';
  if (status === 429 || body?.Fault?.type === 'ThrottleExceeded') return 'ledger_rate_limited';
  const known = providerCode ? codeByProviderCode[providerCode] : undefined;
  if (known) return known;
  if (status !== undefined && status >= 500) return 'ledger_unavailable';
  if (status === 404) return 'ledger_not_found';
  return 'ledger_validation';
}

function providerError(body: Shape | undefined): ProviderError | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const upper = body.Fault?.Error?.[0];
  if (upper) return { message: upper.Message ?? 'QuickBooks fault', detail: upper.Detail, code: upper.code };
  // The auth gateway answers 401 with a lowercase `fault.error`.
  const lower = body.fault?.error?.[0];
  if (lower) return { message: lower.message ?? 'QuickBooks fault', detail: lower.detail, code: lower.code };
  if (body.error) return { message: body.error, detail: body.error_description, code: undefined };
  return undefined;
}
