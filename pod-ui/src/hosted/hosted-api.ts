import { allowedOriginFor } from './allowed-origin.js';
import {
  eventAckMessage,
  type HostedEvent,
  type IncomingMessage,
  isMemberAuthentication,
  type MemberAuthentication,
  parseIncoming,
  readyMessage,
  requestMessage,
} from './protocol.js';

export type HostedApiErrorCode =
  | 'not_in_connectwise'
  | 'no_handshake'
  | 'timeout'
  | 'invalid_response'
  /** ConnectWise answered the request with `errors` (its message says which). */
  | 'refused'
  | 'closed';

export class HostedApiError extends Error {
  constructor(
    readonly code: HostedApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HostedApiError';
  }
}

/** Return a promise to delay the acknowledgement (ConnectWise holds a save until we answer). */
export type HostedEventHandler = (event: HostedEvent) => void | Promise<void>;

export interface HostedApi {
  readonly frameId: string;
  /** The ConnectWise origin every later message must come from. */
  readonly origin: string;
  getMemberAuthentication(): Promise<MemberAuthentication>;
  /** Returns an unsubscribe function. With no handler, events are acknowledged at once. */
  onEvent(handler: HostedEventHandler): () => void;
  refreshScreen(): void;
  setDirty(dirty: boolean): void;
  openScreen(screen: string, id: string | number, newTab?: boolean): void;
  close(): void;
}

export interface ConnectOptions {
  /** Only this origin may answer; defaults to `?cwOrigin=` or the referrer's origin. */
  allowedOrigin?: string;
  window?: Window;
  handshakeTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export type ConnectResult = { ok: true; api: HostedApi } | { ok: false; error: HostedApiError };

// ConnectWise may not be listening the instant we load; saying ready again is harmless.
const READY_RESEND_MS = 2_000;

/** Runs `ready` -> `MessageFrameID`; afterwards only messages from that parent and origin count. */
export function connectHostedApi(options: ConnectOptions = {}): Promise<ConnectResult> {
  const win = options.window ?? window;
  if (win.parent === win) {
    return Promise.resolve({
      ok: false,
      error: new HostedApiError(
        'not_in_connectwise',
        'Not inside ConnectWise: Ledgerpod must be opened from a ConnectWise screen.',
      ),
    });
  }
  const allowed = options.allowedOrigin ?? allowedOriginFor(win.location, win.document.referrer);
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  let ignoredOrigin: string | undefined;

  return new Promise((resolve) => {
    const onHandshake = (event: MessageEvent) => {
      if (event.source !== win.parent) return;
      const message = parseIncoming(event.data);
      if (message?.kind !== 'frameId') return;
      if (allowed && event.origin !== allowed) {
        ignoredOrigin = event.origin;
        return;
      }
      stop();
      resolve({ ok: true, api: connected(win, message.frameId, event.origin, options.requestTimeoutMs) });
    };
    const say = () => win.parent.postMessage(readyMessage(), allowed ?? '*');
    const resend = win.setInterval(say, READY_RESEND_MS);
    const timer = win.setTimeout(() => {
      stop();
      const why = ignoredOrigin
        ? `a page at ${ignoredOrigin} answered, but only ${allowed} is ConnectWise`
        : `ConnectWise${allowed ? ` (${allowed})` : ''} did not answer "ready"`;
      resolve({
        ok: false,
        error: new HostedApiError(
          'no_handshake',
          `No ConnectWise handshake within ${handshakeTimeoutMs} ms: ${why}.`,
        ),
      });
    }, handshakeTimeoutMs);
    const stop = () => {
      win.clearInterval(resend);
      win.clearTimeout(timer);
      win.removeEventListener('message', onHandshake);
    };
    win.addEventListener('message', onHandshake);
    say();
  });
}

interface Pending {
  name: string;
  /** The request as asked (for messages). */
  label: string;
  resolve(data: unknown): void;
  reject(error: HostedApiError): void;
  timer: number;
}

function connected(win: Window, frameId: string, origin: string, requestTimeoutMs = 10_000): HostedApi {
  const pending: Pending[] = [];
  const handlers = new Set<HostedEventHandler>();
  let closed = false;

  const post = (text: string) => {
    if (!closed) win.parent.postMessage(text, origin);
  };

  const acknowledge = async (event: HostedEvent) => {
    try {
      await Promise.all([...handlers].map((handler) => handler(event)));
      post(eventAckMessage(event, frameId, 'success'));
    } catch (error) {
      post(
        eventAckMessage(event, frameId, 'failure', error instanceof Error ? error.message : String(error)),
      );
    }
  };

  const dispatch = (message: IncomingMessage) => {
    if (message.kind === 'event') void acknowledge(message.event);
    if (message.kind !== 'response') return;
    // ConnectWise names responses in lower case; answers come back in the order asked.
    const index = pending.findIndex((p) => p.name === message.response.toLowerCase());
    if (index < 0) return;
    const [request] = pending.splice(index, 1);
    win.clearTimeout(request!.timer);
    if (message.errors) {
      request!.reject(
        new HostedApiError(
          'refused',
          `ConnectWise could not answer ${request!.label}: ${message.errors.join('; ')}`,
        ),
      );
      return;
    }
    request!.resolve(message.data);
  };

  const onMessage = (event: MessageEvent) => {
    // Both checks: a sibling frame can post to us from any origin, a navigated parent from any window.
    if (event.source !== win.parent || event.origin !== origin) return;
    const message = parseIncoming(event.data);
    if (message) dispatch(message);
  };
  win.addEventListener('message', onMessage);

  const request = (name: string): Promise<unknown> => {
    if (closed) return Promise.reject(new HostedApiError('closed', 'The ConnectWise connection is closed.'));
    return new Promise((resolve, reject) => {
      const timer = win.setTimeout(() => {
        const index = pending.findIndex((p) => p.timer === timer);
        if (index >= 0) pending.splice(index, 1);
        reject(
          new HostedApiError('timeout', `ConnectWise did not answer ${name} within ${requestTimeoutMs} ms.`),
        );
      }, requestTimeoutMs);
      pending.push({ name: name.toLowerCase(), label: name, resolve, reject, timer });
      post(requestMessage(name, frameId));
    });
  };

  return {
    frameId,
    origin,
    async getMemberAuthentication() {
      const data = await request('getMemberAuthentication');
      if (!isMemberAuthentication(data)) {
        throw new HostedApiError(
          'invalid_response',
          'ConnectWise sent member authentication without a member.',
        );
      }
      return data;
    },
    onEvent(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    refreshScreen: () => post(requestMessage('refreshScreen', frameId)),
    setDirty: (dirty) => post(requestMessage('setDirty', frameId, { dirty })),
    openScreen: (screen, id, newTab = false) =>
      post(requestMessage('openScreen', frameId, { screen, id, newTab })),
    close() {
      if (closed) return;
      closed = true;
      win.removeEventListener('message', onMessage);
      for (const p of pending.splice(0)) {
        win.clearTimeout(p.timer);
        p.reject(new HostedApiError('closed', 'The ConnectWise connection is closed.'));
      }
    },
  };
}
