import { useEffect } from 'preact/hooks';
import type { LedgerKind } from '../api/types.js';
import { isLedgerKind } from '../ui/ledger-names.js';

/**
 * The pod is framed, and ledgers refuse to show their consent page in a frame: OAuth runs in a
 * popup whose callback page (served by our backend, so our origin) posts `{ledgerpod:'connected'}`.
 */
export function useOAuthMessages(onConnected: (kind: LedgerKind) => void) {
  useEffect(() => {
    const listen = (event: MessageEvent) => {
      if (event.origin !== location.origin) return;
      let data: unknown = event.data;
      if (typeof data === 'string') {
        try {
          data = JSON.parse(data);
        } catch {
          return;
        }
      }
      const message = data as { ledgerpod?: unknown; kind?: unknown } | null;
      if (message?.ledgerpod === 'connected' && isLedgerKind(message.kind)) onConnected(message.kind);
    };
    window.addEventListener('message', listen);
    return () => window.removeEventListener('message', listen);
  }, [onConnected]);
}

/** Opens the popup synchronously (inside the click) so blockers allow it, then points it at `url`. */
export function openPopup(): Window | null {
  return window.open('about:blank', 'ledgerpod-oauth', 'popup,width=560,height=720');
}

/**
 * Calls `onClosed` once the popup is gone, whether the person closed it or the callback page did.
 * It also fires when the callback page's Cross-Origin-Opener-Policy moves the popup into a browsing
 * context group of its own: that cuts `window.opener`, so the page's message never arrives, and the
 * connections list is then the only way to learn what happened.
 */
export function watchPopup(popup: Window, onClosed: () => void, everyMs = 500): () => void {
  const timer = setInterval(() => {
    if (!popup.closed) return;
    clearInterval(timer);
    onClosed();
  }, everyMs);
  return () => clearInterval(timer);
}

/**
 * Hands the consent's ticket to the popup once its start page (our origin) says it is ready: the
 * popup trades it for a cookie that binds the consent to this browser (oauth-callback-routes.ts).
 * Only this window can hand it over, so a consent link sent to someone else completes nothing.
 */
export function handOverTicket(popup: Window, ticket: string, waitMs = 120_000): () => void {
  const listen = (event: MessageEvent) => {
    if (event.origin !== location.origin || event.source !== popup) return;
    let data: { ledgerpod?: unknown } | null = null;
    try {
      data = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
    } catch {
      return;
    }
    if (data?.ledgerpod !== 'oauth-ready') return;
    popup.postMessage(JSON.stringify({ ledgerpod: 'oauth-ticket', ticket }), location.origin);
    stop();
  };
  const timer = setTimeout(() => stop(), waitMs);
  const stop = () => {
    clearTimeout(timer);
    window.removeEventListener('message', listen);
  };
  window.addEventListener('message', listen);
  return stop;
}
