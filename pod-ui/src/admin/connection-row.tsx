import { useState } from 'preact/hooks';
import type { Connection } from '../api/admin-types.js';

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
  onReconnect(): void;
  onDisconnect(): Promise<void>;
  onRouting(cwLocationIds: number[], isDefault: boolean): Promise<void>;
}

/** One ledger connection: its health, which ConnectWise locations post to it, and disconnect. */
export function ConnectionRow({ connection: c, onReconnect, onDisconnect, onRouting }: Props) {
  const [locations, setLocations] = useState(c.cwLocationIds.join(', '));
  const [isDefault, setDefault] = useState(c.isDefault);
  const [confirming, setConfirming] = useState(false);
  const ids = locations
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  const valid = ids.every((n) => Number.isInteger(n) && n > 0);
  const id = `conn-${c.id}`;

  return (
    <li class="connection" data-testid={`connection-${c.kind}`}>
      <div class="connection-head">
        <strong>{c.name}</strong> <span class="muted">{c.kind === 'qbo' ? 'QuickBooks Online' : 'Xero'}</span>{' '}
        <span class={`conn-status conn-${c.status}`}>{statusText[c.status]}</span>
        {c.statusReason && <span class="muted"> {c.statusReason}</span>}
        {c.taxSetup && (
          <div class="muted" data-testid="tax-setup">
            Tax: {taxSetupText(c.taxSetup)}
          </div>
        )}
      </div>
      <form
        class="routing"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) void onRouting(ids, isDefault);
        }}
      >
        <label for={`${id}-loc`}>ConnectWise location ids</label>{' '}
        <input
          id={`${id}-loc`}
          value={locations}
          aria-invalid={!valid}
          aria-describedby={`${id}-loc-help`}
          onInput={(e) => setLocations(e.currentTarget.value)}
        />{' '}
        <label>
          <input type="checkbox" checked={isDefault} onChange={(e) => setDefault(e.currentTarget.checked)} />{' '}
          Default books
        </label>{' '}
        <button type="submit" class="btn" disabled={!valid}>
          Save routing
        </button>
        <span id={`${id}-loc-help`} class="muted">
          {' '}
          Comma-separated; records from other locations go to the default books.
        </span>
      </form>
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
