import { useState } from 'preact/hooks';
import type { Connection, CwLocation } from '../api/admin-types.js';
import { ledgerNames } from '../ui/ledger-names.js';

const statusText: Record<Connection['status'], string> = {
  active: 'Connected',
  needs_reconnect: 'Needs reconnecting',
  disconnected: 'Disconnected',
};

/** How the books take tax, as the connection's company settings say (QBO only). */
export function taxSetupText(setup: Connection['taxSetup']): string | undefined {
  if (!setup) return undefined;
  if (setup.model === 'no_tax') return `${setup.country}, sales tax off: no tax codes`;
  if (setup.model === 'us')
    return `${setup.country} sales tax${setup.automatedSalesTax ? ' (automated)' : ''}: lines TAX/NON, ConnectWise's tax as the total`;
  return `${setup.country}: a tax code on every line, ConnectWise's tax per rate`;
}

interface Props {
  connection: Connection;
  /** ConnectWise's locations (undefined while loading or when CW could not be read). */
  locations: CwLocation[] | undefined;
  onReconnect(): void;
  onDisconnect(): Promise<void>;
  onRouting(cwLocationIds: number[], isDefault: boolean): Promise<void>;
}

/** One ledger connection: its health, which ConnectWise locations post to it, and disconnect. */
export function ConnectionRow({ connection: c, locations, onReconnect, onDisconnect, onRouting }: Props) {
  const [chosen, setChosen] = useState(() => new Set(c.cwLocationIds));
  // The tick saves at once; until the list comes back it shows what was clicked.
  const [defaultClicked, setDefaultClicked] = useState<boolean>();
  const [confirming, setConfirming] = useState(false);
  const active = c.status !== 'disconnected';
  // Locations the routing names that ConnectWise no longer lists stay visible, so none is lost unseen.
  const listed = new Set((locations ?? []).map((l) => l.id));
  const shown = [
    ...(locations ?? []),
    ...[...chosen].filter((n) => !listed.has(n)).map((n) => ({ id: n, name: `Location ${n}` })),
  ];
  const toggle = (locationId: number, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(locationId);
    else next.delete(locationId);
    setChosen(next);
  };
  const tickDefault = async (on: boolean) => {
    setDefaultClicked(on);
    try {
      await onRouting(c.cwLocationIds, on);
    } finally {
      setDefaultClicked(undefined);
    }
  };

  return (
    <li class="connection" data-testid={`connection-${c.kind}`}>
      <div class="connection-head">
        <strong>{c.name}</strong> <span class="muted">{ledgerNames[c.kind]}</span>{' '}
        <span class={`conn-status conn-${c.status}`}>{statusText[c.status]}</span>
        {c.statusReason && <span class="muted"> {c.statusReason}</span>}
        {c.taxSetup && (
          <div class="muted" data-testid="tax-setup">
            Tax: {taxSetupText(c.taxSetup)}
          </div>
        )}
      </div>
      {active && (
        <label class="default-books">
          <input
            type="checkbox"
            checked={defaultClicked ?? c.isDefault}
            disabled={defaultClicked !== undefined}
            onChange={(e) => void tickDefault(e.currentTarget.checked)}
          />{' '}
          Default books <span class="muted">(records from locations no connection names)</span>
        </label>
      )}
      {active && (
        <form
          class="routing"
          onSubmit={(e) => {
            e.preventDefault();
            void onRouting(
              shown.map((l) => l.id).filter((n) => chosen.has(n)),
              c.isDefault,
            );
          }}
        >
          <fieldset>
            <legend>ConnectWise locations booked here</legend>
            {locations === undefined && chosen.size === 0 && (
              <span class="muted">Loading ConnectWise's locations…</span>
            )}
            {shown.map((l) => (
              <label key={l.id} class="location">
                <input
                  type="checkbox"
                  checked={chosen.has(l.id)}
                  onChange={(e) => toggle(l.id, e.currentTarget.checked)}
                />{' '}
                {l.name}
                {!listed.has(l.id) && locations !== undefined && (
                  <span class="muted"> (not in ConnectWise's list)</span>
                )}
              </label>
            ))}
          </fieldset>
          <button type="submit" class="btn">
            Save routing
          </button>
        </form>
      )}
      <div class="actions">
        {c.status !== 'active' && (
          <button type="button" class="btn btn-primary" onClick={onReconnect}>
            Reconnect
          </button>
        )}
        {confirming ? (
          <>
            <span>Disconnect {c.name}? Records stop syncing to it.</span>
            <button type="button" class="btn btn-danger" onClick={() => void onDisconnect()}>
              Yes, disconnect
            </button>
            <button type="button" class="btn" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" class="btn" onClick={() => setConfirming(true)}>
            Disconnect
          </button>
        )}
      </div>
    </li>
  );
}
