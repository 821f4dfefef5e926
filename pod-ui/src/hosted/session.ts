import { type HostedApi, HostedApiError } from './hosted-api.js';

export interface SessionInfo {
  member: { id: string; name: string; email: string };
  role: 'viewer' | 'accountant' | 'admin';
  tenant: { id: string; name: string };
}

export interface SessionError {
  code: string;
  message: string;
  hint?: string;
}

export interface PodSession {
  info(): SessionInfo;
  /**
   * The status of the screen's record that came with the sign-in (`SessionOptions.record`), once:
   * `undefined` when it was not asked for, `null` when Ledgerpod does not know the record yet.
   * Later reads go through `authorizedFetch`.
   */
  takeRecordStatus(): unknown;
  /** `fetch` against our backend with the session token; renews an expired token first. */
  authorizedFetch(path: string, init?: RequestInit): Promise<Response>;
  close(): void;
}

export type SessionResult = { ok: true; session: PodSession } | { ok: false; error: SessionError };

export interface SessionOptions {
  fetch?: typeof fetch;
  /** Our backend's origin; the pod page is served by it, so the page's own origin by default. */
  apiOrigin?: string;
  /** Renew this long before expiry, so a request in flight never carries a stale token. */
  renewBeforeMs?: number;
  now?: () => number;
  /**
   * The record on the pod's screen: the sign-in answers its status too, so the first paint needs
   * one request to our backend, not a sign-in and then a status read.
   */
  record?: { type: string; cwId: number };
}

interface SessionGrant extends SessionInfo {
  token: string;
  expiresAt: string;
  status?: unknown;
}

/**
 * Trades ConnectWise's member data for our session token. The token lives in this closure only:
 * third-party cookies are blocked in iframes and storage would outlive the ConnectWise login.
 */
export async function startSession(api: HostedApi, options: SessionOptions = {}): Promise<SessionResult> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const apiOrigin = options.apiOrigin ?? location.origin;
  const renewBeforeMs = options.renewBeforeMs ?? 60_000;
  const now = options.now ?? Date.now;

  const signIn = async (
    record?: SessionOptions['record'],
  ): Promise<{ ok: true; grant: SessionGrant } | { ok: false; error: SessionError }> => {
    let data: unknown;
    try {
      data = await api.getMemberAuthentication();
    } catch (error) {
      if (error instanceof HostedApiError)
        return { ok: false, error: { code: error.code, message: error.message } };
      throw error;
    }
    const response = await doFetch(new URL('/api/v1/session', apiOrigin), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(record ? { ...(data as object), record } : data),
      credentials: 'omit',
    });
    const body = (await response.json().catch(() => undefined)) as
      | SessionGrant
      | { error?: SessionError }
      | undefined;
    if (response.ok && body && 'token' in body) return { ok: true, grant: body };
    const error = body && 'error' in body ? body.error : undefined;
    return {
      ok: false,
      error: error ?? { code: 'session_failed', message: `Sign-in failed (HTTP ${response.status}).` },
    };
  };

  const first = await signIn(options.record);
  if (!first.ok) return first;
  let grant = first.grant;
  let firstStatus = grant.status;
  let renewal: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const expiresAt = () => Date.parse(grant.expiresAt);
  const renew = (): Promise<void> => {
    renewal ??= signIn()
      .then((result) => {
        if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
        grant = result.grant;
        schedule();
      })
      .finally(() => {
        renewal = undefined;
      });
    return renewal;
  };
  const schedule = () => {
    clearTimeout(timer);
    if (closed) return;
    const wait = Math.max(0, expiresAt() - renewBeforeMs - now());
    timer = setTimeout(() => void renew().catch(() => undefined), wait);
  };
  schedule();

  const send = (path: string, init: RequestInit) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${grant.token}`);
    return doFetch(new URL(path, apiOrigin), { ...init, headers, credentials: 'omit' });
  };

  return {
    ok: true,
    session: {
      info: () => ({ member: grant.member, role: grant.role, tenant: grant.tenant }),
      takeRecordStatus() {
        const status = firstStatus;
        firstStatus = undefined;
        return status;
      },
      async authorizedFetch(path, init = {}) {
        if (now() >= expiresAt()) await renew();
        const response = await send(path, init);
        if (response.status !== 401) return response;
        // The backend may have revoked the token early (key rotation, restart): one fresh sign-in.
        await renew();
        return send(path, init);
      },
      close() {
        closed = true;
        clearTimeout(timer);
      },
    },
  };
}
