import { useEffect, useState } from 'preact/hooks';
import { getSettings, putSettings } from '../api/admin.js';
import type { Settings } from '../api/admin-types.js';
import { ApiError } from '../api/client.js';
import type { Problem } from '../api/types.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { useLoad } from '../ui/use-load.js';

const roles = ['none', 'viewer', 'accountant', 'admin'] as const;

/** Who may do what (by ConnectWise security role), and when Ledgerpod syncs on its own. */
export function SettingsForm() {
  const { fetch } = usePod();
  const loaded = useLoad(() => getSettings(fetch), []);
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
      setProblem(error instanceof ApiError ? error : { code: 'client', message: String(error) });
    }
  };

  return (
    <form onSubmit={submit} class="settings">
      <section aria-labelledby="roles-title">
        <h2 id="roles-title">Roles</h2>
        <table class="grid narrow">
          <thead>
            <tr>
              <th scope="col">ConnectWise security role</th>
              <th scope="col">Ledgerpod role</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(draft.roleMap).map(([cwRole, role]) => (
              <tr key={cwRole}>
                <td>
                  <label for={`role-${cwRole}`}>{cwRole}</label>
                </td>
                <td>
                  <select
                    id={`role-${cwRole}`}
                    value={role}
                    onChange={(e) =>
                      change({
                        roleMap: {
                          ...draft.roleMap,
                          [cwRole]: e.currentTarget.value as Settings['roleMap'][string],
                        },
                      })
                    }
                  >
                    {roles.map((r) => (
                      <option key={r} value={r}>
                        {r === 'none' ? 'No access' : r[0]!.toUpperCase() + r.slice(1)}
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
          <label for="sweep">Catch-up sweep every (minutes)</label>
          <input
            id="sweep"
            type="number"
            min={1}
            max={1440}
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
