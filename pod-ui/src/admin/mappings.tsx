import { useState } from 'preact/hooks';
import { getMappings, listConnections, putMapping } from '../api/admin.js';
import type { MappingKind, MappingSet, Option } from '../api/admin-types.js';
import type { Problem } from '../api/types.js';
import { LedgerOptions } from '../ui/ledger-options.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { problemOf } from '../ui/use-attempt.js';
import { useLoad } from '../ui/use-load.js';

const kinds: {
  kind: MappingKind;
  label: string;
  /** Why it may stay unmapped: a push never stops for it (GL accounts and tax codes it does). */
  optional?: string;
  cw(s: MappingSet): Option[];
  ledger(s: MappingSet): Option[];
}[] = [
  { kind: 'gl_account', label: 'GL accounts', cw: (s) => s.cw.glAccounts, ledger: (s) => s.ledger.accounts },
  { kind: 'tax_code', label: 'Tax codes', cw: (s) => s.cw.taxCodes, ledger: (s) => s.ledger.taxCodes },
  {
    kind: 'class',
    label: 'Classes / tracking',
    optional: 'lines of an unmapped code are booked without a class or tracking category.',
    cw: (s) => s.cw.classes,
    ledger: (s) => s.ledger.classes,
  },
  {
    kind: 'item',
    label: 'Items',
    optional: 'lines of an unmapped code are booked to their account without an item.',
    cw: (s) => s.cw.items,
    ledger: (s) => s.ledger.items,
  },
  {
    kind: 'terms',
    label: 'Terms',
    optional: 'an invoice with unmapped terms keeps the due date ConnectWise set.',
    cw: (s) => s.cw.terms,
    ledger: (s) => s.ledger.terms,
  },
];

/** ConnectWise codes on the left, a picker filled from the connected books on the right; saved on change. */
export function Mappings() {
  const { fetch } = usePod();
  const connections = useLoad(() => listConnections(fetch), []);
  const [chosen, setChosen] = useState('');
  const connectionId = chosen || connections.data?.connections[0]?.id || '';
  const set = useLoad(
    () => (connectionId ? getMappings(fetch, connectionId) : Promise.resolve(undefined)),
    [connectionId],
  );
  const [kind, setKind] = useState<MappingKind>('gl_account');
  const [saved, setSaved] = useState('');
  const [problem, setProblem] = useState<Problem>();

  const save = async (cwKey: string, ledgerKey: string) => {
    setProblem(undefined);
    try {
      const { mapping } = await putMapping(fetch, { connectionId, kind, cwKey, ledgerKey });
      const data = set.data!;
      set.set({
        ...data,
        mappings: [...data.mappings.filter((m) => !(m.kind === kind && m.cwKey === cwKey)), mapping],
      });
      setSaved(`Saved: ${cwKey} maps to ${mapping.ledgerName || ledgerKey}.`);
    } catch (error) {
      setProblem(problemOf(error));
    }
  };

  const current = kinds.find((k) => k.kind === kind)!;
  const data = set.data;
  const cwOptions = data ? current.cw(data) : [];
  const ledgerOptions = data ? current.ledger(data) : [];
  const ledgerKind = connections.data?.connections.find((c) => c.id === connectionId)?.kind;
  // Xero keeps no terms: each invoice carries the due date ConnectWise computed.
  const notForXero = kind === 'terms' && ledgerKind === 'xero';

  return (
    <section aria-labelledby="mappings-title">
      <h2 id="mappings-title">Mappings</h2>
      <div class="filters">
        <label>
          Books{' '}
          <select value={connectionId} onChange={(e) => setChosen(e.currentTarget.value)}>
            {connections.data?.connections.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <div class="queue-tabs" role="toolbar" aria-label="What to map">
          {kinds.map((k) => (
            <button
              key={k.kind}
              type="button"
              class="queue"
              aria-pressed={k.kind === kind}
              onClick={() => setKind(k.kind)}
            >
              {k.label}
              {k.optional && <span class="muted"> (optional)</span>}
            </button>
          ))}
        </div>
        <span role="status" aria-live="polite" class="muted">
          {saved}
        </span>
      </div>
      {current.optional && (
        <p class="muted optional-note" data-testid="optional-note">
          Optional: {current.optional}
        </p>
      )}
      {problem && <ProblemBox problem={problem} />}
      {set.error && <ProblemBox problem={set.error} />}
      {!connectionId && <p class="muted">Connect QuickBooks Online or Xero first.</p>}
      {data && notForXero && (
        <p class="muted">
          Xero has no payment terms to map: each invoice keeps the due date ConnectWise set.
        </p>
      )}
      {data && !notForXero && cwOptions.length === 0 && (
        <p class="muted">Nothing in ConnectWise to map for {current.label}.</p>
      )}
      {data && !notForXero && cwOptions.length > 0 && (
        <table class="grid" data-testid={`mappings-${kind}`}>
          <thead>
            <tr>
              <th scope="col">ConnectWise</th>
              <th scope="col">In the books</th>
            </tr>
          </thead>
          <tbody>
            {cwOptions.map((o, index) => {
              const mapped = data.mappings.find((m) => m.kind === kind && m.cwKey === o.key);
              // By position: CW keys may hold spaces ("Net 30"), which an id must not.
              const id = `map-${kind}-${index}`;
              return (
                <tr key={o.key} class={mapped ? undefined : 'unmapped'}>
                  <td>
                    <label for={id}>{o.name.startsWith(o.key) ? o.name : `${o.key} ${o.name}`}</label>
                  </td>
                  <td>
                    <select
                      id={id}
                      value={mapped?.ledgerKey ?? ''}
                      onChange={(e) => save(o.key, e.currentTarget.value)}
                    >
                      <LedgerOptions options={ledgerOptions} prompt="Not mapped: choose…" />
                    </select>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
