import { useEffect, useState } from 'preact/hooks';
import { getSettings, listSecurityRoles, putSettings } from '../api/admin.js';
import type { Settings } from '../api/admin-types.js';
import type { Problem } from '../api/types.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { problemOf } from '../ui/use-attempt.js';
import { useLoad } from '../ui/use-load.js';
import { type RoleChoice, roleRows, withChoice } from './role-rows.js';

const roles = ['viewer', 'accountant', 'admin', 'none'] as const;
const roleLabel = (r: RoleChoice) => (r === 'none' ? 'No access' : r[0]!.toUpperCase() + r.slice(1));

/** Who may do what (by ConnectWise security role), and when Ledgerpod syncs on its own. */
export function SettingsForm() {
  const { fetch } = usePod();
  const loaded = useLoad(() => getSettings(fetch), []);
  // Loaded beside the settings: when ConnectWise is unreachable the mapped roles stay editable.
  const cwRoles = useLoad(() => listSecurityRoles(fetch), []);
  const [draft, setDraft] = useState<Settings>();
  const [status, setStatus] = useState('');
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => setDraft(loaded.data), [loaded.data]);

  if (loaded.error) return <ProblemBox problem={loaded.error} />;
  if (!draft) return <p class="muted">Loading settings…</p>;
  const change = (patch: Partial<Settings>) => {
    setDraft({ ...draft, ...patch });
    setStatus('');
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    try {
      loaded.set(await putSettings(fetch, draft));
      setStatus('Settings saved.');
    } catch (error) {
      setProblem(problemOf(error));
    }
  };

  return (
    <form onSubmit={submit} class="settings">
      <section aria-labelledby="roles-title">
        <h2 id="roles-title">Roles</h2>
        <p class="muted">
          Each ConnectWise security role gets a Ledgerpod role; left on its default, a role named like Admin
          gets admin, Finance or Accounting gets accountant, any other viewer.
        </p>
        {cwRoles.error && <ProblemBox problem={cwRoles.error} />}
        {cwRoles.loading && <p class="muted">Loading ConnectWise security roles…</p>}
        <table class="grid narrow" data-testid="role-map">
          <thead>
            <tr>
              <th scope="col">ConnectWise security role</th>
              <th scope="col">Ledgerpod role</th>
            </tr>
          </thead>
          <tbody>
            {roleRows(draft.roleMap, cwRoles.data?.roles).map((row, index) => (
              <tr key={row.name}>
                <td>
                  <label for={`role-${index}`}>{row.name}</label>
                  {!row.inConnectWise && <span class="muted"> (not in ConnectWise)</span>}
                </td>
                <td>
                  <select
                    id={`role-${index}`}
                    value={row.mapped ?? 'default'}
                    onChange={(e) =>
                      change({
                        roleMap: withChoice(
                          draft.roleMap,
                          row.name,
                          e.currentTarget.value as RoleChoice | 'default',
                        ),
                      })
                    }
                  >
                    {row.defaultRole && (
                      <option value="default">Default: {roleLabel(row.defaultRole)}</option>
                    )}
                    {roles.map((r) => (
                      <option key={r} value={r}>
                        {roleLabel(r)}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="schedule-title">
        <h2 id="schedule-title">Schedule</h2>
        <div class="form-grid">
          <label for="sync-on-close">Sync when an invoice closes</label>
          <input
            id="sync-on-close"
            type="checkbox"
            checked={draft.syncOnClose}
            onChange={(e) => change({ syncOnClose: e.currentTarget.checked })}
          />
          <label for="sync-when-fixed">Sync a failed record again once it is fixed in ConnectWise</label>
          <input
            id="sync-when-fixed"
            type="checkbox"
            checked={draft.syncWhenFixed}
            onChange={(e) => change({ syncWhenFixed: e.currentTarget.checked })}
          />
          <label for="sweep">Catch-up sweep every (minutes)</label>
          <input
            id="sweep"
            type="number"
            // 0 is the backend's "no schedule" (and every tenant's default): it must pass validation.
            min={0}
            max={1440}
            title="0 turns the schedule off"
            value={draft.sweepMinutes}
            onInput={(e) => change({ sweepMinutes: Number(e.currentTarget.value) })}
          />
          <label for="prefix">Batch prefix</label>
          <input
            id="prefix"
            value={draft.batchPrefix}
            onInput={(e) => change({ batchPrefix: e.currentTarget.value })}
          />
          <label for="rounding">Rounding limit</label>
          <input
            id="rounding"
            inputMode="decimal"
            pattern="\d+(\.\d+)?"
            value={draft.roundingLimit}
            onInput={(e) => change({ roundingLimit: e.currentTarget.value })}
          />
          <label for="cw-payments">ConnectWise payments per invoice</label>
          <select
            id="cw-payments"
            title="Choose one if ConnectWise refuses a second payment on an invoice"
            value={draft.cwPaymentsPerInvoice}
            onChange={(e) =>
              change({ cwPaymentsPerInvoice: e.currentTarget.value === 'one' ? 'one' : 'many' })
            }
          >
            <option value="many">One for each ledger payment</option>
            <option value="one">One per invoice (added to)</option>
          </select>
        </div>
      </section>
      <div class="actions">
        <button type="submit" class="btn btn-primary">
          Save settings
        </button>
        <span role="status" aria-live="polite">
          {status}
        </span>
      </div>
      {problem && <ProblemBox problem={problem} />}
    </form>
  );
}
