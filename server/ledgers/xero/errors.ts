import { retryAfterOf } from '../../outbound/retry-after.js';
import { LedgerError } from '../ledger-error.js';

/** What a rejection tells us, whichever of its shapes it came in. */
interface Failure {
  status: number;
  body: unknown;
  headers: Record<string, unknown>;
  message: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * xero-node rejects with a JSON *string* of `{response:{statusCode, body, headers}}`; its token
 * helpers reject with `{response, body}` objects; axios and the network reject with Error objects.
 * All of them end up here.
 */
export function readFailure(rejection: unknown): Failure {
  let value = rejection;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { status: 0, body: value, headers: {}, message: value as string };
    }
  }
  if (isRecord(value) && isRecord(value.response)) {
    const r = value.response;
    const status = Number(r.statusCode ?? r.status ?? 0);
    const body = r.body ?? r.data ?? value.body;
    const headers = isRecord(r.headers) ? r.headers : {};
    const message = value instanceof Error ? value.message : typeof body === 'string' ? body : '';
    return { status, body, headers, message };
  }
  if (value instanceof Error) {
    const code = (value as Error & { code?: string }).code;
    return {
      status: 0,
      body: undefined,
      headers: {},
      message: code ? `${code}: ${value.message}` : value.message,
    };
  }
  return { status: 0, body: value, headers: {}, message: String(value) };
}

/** Xero's own words: validation messages joined, or the Detail / Message / error field. */
export function providerMessage(body: unknown, fallback: string): string {
  if (isRecord(body)) {
    const elements = Array.isArray(body.Elements) ? body.Elements : [];
    const messages = elements.flatMap((e) =>
      isRecord(e) && Array.isArray(e.ValidationErrors)
        ? e.ValidationErrors.map((v) => (isRecord(v) ? String(v.Message ?? '') : '')).filter(Boolean)
        : [],
    );
    if (messages.length > 0) return [...new Set(messages)].join(' ');
    for (const key of ['Detail', 'Message', 'Title', 'error_description', 'error']) {
      if (typeof body[key] === 'string' && body[key] !== '') return body[key] as string;
    }
  }
  if (typeof body === 'string' && body.trim() !== '') return body.trim();
  return fallback;
}

const header = (headers: Record<string, unknown>, name: string): string | undefined => {
  const found = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
  return found === undefined ? undefined : String(found[1]);
};

/**
 * Xero's refusal of a document dated in a locked period, a ValidationException whose message is
 * "The document date cannot be before the period lock date, currently set at 30-Nov-2018" or "...
 * the end of year lock date ..." (real messages quoted in Emersion's and Chargebee's help pages).
 */
const lockRefusal = /cannot be before the (period|end of year) lock date/i;

/** One SDK rejection as a LedgerError with a catalogue code, Xero's message and whether to retry. */
export function toLedgerError(rejection: unknown): LedgerError {
  if (rejection instanceof LedgerError) return rejection;
  const failure = readFailure(rejection);
  const { status, body, headers } = failure;
  const message = providerMessage(body, failure.message || `HTTP ${status}`);
  const base = { providerMessage: message, status: status || undefined, cause: rejection };
  if (status === 0) {
    const timedOut = /timeout|ETIMEDOUT|ECONNABORTED/i.test(message);
    return new LedgerError({
      ...base,
      code: timedOut ? 'ledger_timeout' : 'ledger_unavailable',
      retryable: true,
    });
  }
  if (status === 400) {
    const duplicate = /must be unique/i.test(message);
    return new LedgerError({
      ...base,
      code: duplicate
        ? 'ledger_duplicate_number'
        : lockRefusal.test(message)
          ? 'period_locked'
          : 'ledger_validation',
      providerCode: isRecord(body) && typeof body.Type === 'string' ? body.Type : undefined,
      retryable: false,
    });
  }
  if (status === 401 || status === 403)
    return new LedgerError({ ...base, code: 'ledger_unauthorized', retryable: status === 401 });
  if (status === 404) return new LedgerError({ ...base, code: 'ledger_not_found', retryable: false });
  if (status === 429) {
    const problem = header(headers, 'x-rate-limit-problem');
    return new LedgerError({
      ...base,
      code: 'ledger_rate_limited',
      providerCode: problem,
      retryable: true,
      retryAfterMs: retryAfterOf(headers) ?? 60_000,
    });
  }
  if (status >= 500) return new LedgerError({ ...base, code: 'ledger_unavailable', retryable: true });
  return new LedgerError({ ...base, code: 'ledger_validation', retryable: false });
}
