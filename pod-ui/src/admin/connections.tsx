import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import {
  authorizeConnection,
  deleteConnection,
  listConnections,
  listLocations,
  putRouting,
} from '../api/admin.js';
import type { Connection } from '../api/admin-types.js';
import type { LedgerKind, Problem } from '../api/types.js';
import { ledgerNames as labels, ledgerKinds } from '../ui/ledger-names.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { problemOf } from '../ui/use-attempt.js';
import { useLoad } from '../ui/use-load.js';
import { ConnectionRow } from './connection-row.js';
import { handOverTicket, openPopup, useOAuthMessages, watchPopup } from './use-oauth-popup.js';

const activeIds = (connections: Connection[] | undefined, kind: LedgerKind) =>
  new Set((connections ?? []).filter((c) => c.kind === kind && c.status === 'active').map((c) => c.id));

/** `onOpen` moves to another admin section: after a connect, the next step is mapping its accounts. */
export function Connections({ onOpen }: { onOpen?: (section: 'mappings') => void }) {
  const { fetch } = usePod();
  const list = useLoad(() => listConnections(fetch), []);
  const locations = useLoad(() => listLocations(fetch), []);
  // Set once a connect finished here: the books are there, their accounts not mapped yet.
  const [connected, setConnected] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const [status, setStatus] = useState('');
  // Whether the popup's own message told us it connected (then its closing adds nothing).
  const reported = useRef(false);
  const stopWatching = useRef<() => void>();
  useEffect(() => () => stopWatching.current?.(), []);

  const attempt = async (what: () => Promise<unknown>, done: string) => {
    setProblem(undefined);
    try {
      await what();
      setStatus(done);
      await list.reload(true);
    } catch (error) {
      setProblem(problemOf(error));
    }
  };

  const onConnected = useCallback(
    (kind: LedgerKind) => {
      reported.current = true;
      setStatus(`${labels[kind]} connected.`);
      setConnected(true);
      void list.reload(true);
    },
    [list.reload],
  );
  useOAuthMessages(onConnected);

  /** The popup is gone: the list says whether a connection of that kind became active meanwhile. */
  const afterPopup = async (kind: LedgerKind, before: Set<string>) => {
    try {
      const next = await listConnections(fetch);
      list.set(next);
      if (reported.current) return;
      const now = activeIds(next.connections, kind);
      const connected = [...now].some((id) => !before.has(id));
      setStatus(connected ? `${labels[kind]} connected.` : 'The sign-in window closed.');
      if (connected) setConnected(true);
    } catch (error) {
      setProblem(problemOf(error));
    }
  };

  const connect = (kind: LedgerKind) => {
    const popup = openPopup();
    reported.current = false;
    stopWatching.current?.();
    const before = activeIds(list.data?.connections, kind);
    if (popup) stopWatching.current = watchPopup(popup, () => void afterPopup(kind, before));
    void attempt(async () => {
      const { url, ticket } = await authorizeConnection(fetch, kind);
      const target = popup ?? window.open('about:blank', '_blank');
      if (!target) throw new Error('The browser blocked the sign-in window: allow pop-ups for Ledgerpod.');
      handOverTicket(target, ticket);
      target.location.href = url;
    }, 'Finish signing in in the window that opened.');
  };

  return (
    <section aria-labelledby="connections-title">
      <h2 id="connections-title">Connections</h2>
      <div class="actions">
        {ledgerKinds.map((kind) => (
          <button
            key={kind}
            type="button"
            class="btn btn-primary"
            onClick={() => connect(kind)}
            data-testid={`connect-${kind}`}
          >
            Connect {labels[kind]}
          </button>
        ))}
        <span role="status" aria-live="polite" data-testid="connections-status">
          {status}
        </span>
      </div>
      {connected && onOpen && (
        <p class="next-step" data-testid="next-step">
          Next: map the ConnectWise GL accounts and tax codes to these books, or records stop at the push.{' '}
          <button type="button" class="btn btn-primary" onClick={() => onOpen('mappings')}>
            Map accounts
          </button>
        </p>
      )}
      {problem && <ProblemBox problem={problem} />}
      {list.error && <ProblemBox problem={list.error} />}
      {locations.error && (
        <ProblemBox problem={locations.error} title="Could not read ConnectWise's locations:" />
      )}
      {list.data &&
        (list.data.connections.length === 0 ? (
          <p class="muted">No books connected yet.</p>
        ) : (
          <ul class="connections">
            {list.data.connections.map((c) => (
              <ConnectionRow
                key={c.id}
                connection={c}
                locations={locations.data?.locations}
                onReconnect={() => connect(c.kind)}
                onDisconnect={() => attempt(() => deleteConnection(fetch, c.id), `${c.name} disconnected.`)}
                onRouting={(ids, isDefault) =>
                  attempt(() => putRouting(fetch, c.id, ids, isDefault), `Routing for ${c.name} saved.`)
                }
              />
            ))}
          </ul>
        ))}
    </section>
  );
}
