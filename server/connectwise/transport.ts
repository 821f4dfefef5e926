import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { z } from 'zod';
import { type CallGate, openGate } from '../outbound/call-gate.js';
import { ConnectWiseError, errorFromResponse } from './errors.js';
import { decideRetry, defaultRetryPolicy, type Failure, type RetryPolicy } from './retry.js';

export interface TransportOptions {
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Injected in tests to skip real waiting; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Shared call limits around every HTTP attempt: the gate the ledger clients use too (limitedGate
   * over the Postgres call limiter, keyed `cw:<tenant>`), so added workers never add CW calls.
   */
  gate?: CallGate;
}

export interface CallSpec<T> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  params?: Record<string, string | number | undefined>;
  data?: unknown;
  /** Validates the body; `null` means no body is expected (204). */
  schema: z.ZodType<T> | null;
  /** Safe to repeat after a timeout or a lost answer (GETs, previews, PATCH replace, DELETE). */
  idempotent: boolean;
  /** A person is waiting on it: ahead of background calls in the shared budget (CallPriority). */
  interactive?: boolean;
  /** Told when the request leaves, i.e. once the shared budget let it through (coalesce.ts). */
  onSent?: () => void;
}

export interface CallResult<T> {
  data: T;
  headers: Record<string, unknown>;
  status: number;
}

/**
 * One HTTP call to ConnectWise with retries decided by decideRetry, and the body validated at the
 * boundary: whatever CW sends back is either the typed value or a ConnectWiseError, never a crash.
 */
export function createTransport(options: TransportOptions = {}) {
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const gate = options.gate ?? openGate;
  const http: AxiosInstance = axios.create({
    timeout: options.timeoutMs ?? 30_000,
    // Raw text in, parsed here, so a malformed body becomes a typed error.
    transformResponse: [(data) => data],
    responseType: 'text',
    validateStatus: () => true,
    maxRedirects: 0,
    transitional: { clarifyTimeoutError: true, silentJSONParsing: false, forcedJSONParsing: false },
  });

  async function call<T>(spec: CallSpec<T>): Promise<CallResult<T>> {
    let waitedMs = 0;
    for (let attempt = 1; ; attempt += 1) {
      let response: AxiosResponse<string>;
      try {
        response = await gate.run(
          () => {
            spec.onSent?.();
            return http.request<string>({
              method: spec.method,
              url: spec.url,
              headers: spec.headers,
              params: spec.params,
              data: spec.data,
            });
          },
          { interactive: spec.interactive ?? false },
        );
      } catch (error) {
        const failure = failureOf(error);
        const decision = decideRetry({ attempt, failure, idempotent: spec.idempotent, waitedMs, policy });
        if (decision.retry) {
          await sleep(decision.waitMs);
          waitedMs += decision.waitMs;
          continue;
        }
        throw transportError(failure, spec, error);
      }
      if (response.status >= 400) {
        const headers = response.headers as Record<string, unknown>;
        const failure: Failure = { kind: 'status', status: response.status, headers };
        const decision = decideRetry({ attempt, failure, idempotent: spec.idempotent, waitedMs, policy });
        if (decision.retry) {
          // CW said slow down: every process sharing this tenant's budget waits, not only this call.
          if (response.status === 429) await gate.slowDown(decision.waitMs);
          await sleep(decision.waitMs);
          waitedMs += decision.waitMs;
          continue;
        }
        const ambiguous = !spec.idempotent && response.status >= 500;
        throw errorFromResponse(response.status, parseJson(response.data), ambiguous);
      }
      return {
        data: validate(spec, response),
        headers: response.headers as Record<string, unknown>,
        status: response.status,
      };
    }
  }

  return { call };
}

type Transport = ReturnType<typeof createTransport>;

function failureOf(error: unknown): Failure {
  const code = (error as { code?: string }).code;
  return code === 'ETIMEDOUT' || code === 'ECONNABORTED' ? { kind: 'timeout' } : { kind: 'network' };
}

function transportError(failure: Failure, spec: CallSpec<unknown>, cause: unknown): ConnectWiseError {
  const what = `${spec.method} ${new URL(spec.url).pathname}`;
  const ambiguous = !spec.idempotent;
  const effect = ambiguous ? '; it may have taken effect, check before retrying' : '';
  if (failure.kind === 'timeout') {
    return new ConnectWiseError('cw_timeout', `ConnectWise did not answer ${what} in time${effect}`, {
      retryable: true,
      ambiguous,
      cause,
    });
  }
  const reason = (cause as { message?: string }).message ?? 'connection failed';
  return new ConnectWiseError('cw_network', `Could not reach ConnectWise for ${what}: ${reason}${effect}`, {
    retryable: true,
    ambiguous,
    cause,
  });
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The body as the typed value, or a cw_bad_response naming the field. A 2xx answer to a call that is
 * not idempotent means the call took effect in CW (a payment made, a batch committed) whatever its
 * body says: an unreadable body is then ambiguous, so the caller re-checks CW's state before it
 * retries instead of doing the same thing twice or parking the record as refused.
 */
function validate<T>(spec: CallSpec<T>, response: AxiosResponse<string>): T {
  if (spec.schema === null) return undefined as T;
  const what = `${spec.method} ${new URL(spec.url).pathname}`;
  const tookEffect = !spec.idempotent;
  const effect = tookEffect ? ' (the call took effect in ConnectWise)' : '';
  let body: unknown;
  try {
    body = JSON.parse(response.data);
  } catch (cause) {
    throw new ConnectWiseError(
      'cw_bad_response',
      `ConnectWise sent a body that is not JSON for ${what}${effect}`,
      { status: response.status, cause, ambiguous: tookEffect },
    );
  }
  const parsed = spec.schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || '(root)';
    throw new ConnectWiseError(
      'cw_bad_response',
      `ConnectWise sent an unexpected ${what} response: field ${field}: ${issue?.message ?? 'invalid'}${effect}`,
      { status: response.status, cause: parsed.error, ambiguous: tookEffect, field },
    );
  }
  return parsed.data;
}
