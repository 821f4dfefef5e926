import { useState } from 'preact/hooks';
import { getMappingOptions, putMapping } from '../api/admin.js';
import type { Option } from '../api/admin-types.js';
import type { Unmapped } from '../api/types.js';
import { LedgerOptions } from '../ui/ledger-options.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { useAttempt } from '../ui/use-attempt.js';

const kindNames = { gl_account: 'GL account', tax_code: 'Tax code' } as const;
const keyOf = (u: Unmapped) => `${u.connectionId}|${u.kind}|${u.cwKey}`;
const listOf = (u: Unmapped) => `${u.connectionId}|${u.kind}`;

/**
 * For admins, where a record failed for want of a mapping: a picker per missing CW code, filled
 * from the books on demand, and one button that saves the mappings and retries the record. The
 * admin tab's Mappings holds the same mappings; this saves the trip there and back.
 */
export default function MapInline({
  unmapped,
  onMapped,
}: {
  unmapped: Unmapped[];
  onMapped(): Promise<void>;
}) {
  const { fetch } = usePod();
  const [lists, setLists] = useState<Record<string, Option[]>>();
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const { busy, problem, attempt } = useAttempt();

  const open = () =>
    attempt(async () => {
      const loaded: Record<string, Option[]> = {};
      for (const u of unmapped) {
        loaded[listOf(u)] ??= (await getMappingOptions(fetch, u.connectionId, u.kind)).options;
      }
      setLists(loaded);
    });

  const save = () =>
    attempt(async () => {
      for (const u of unmapped) {
        const ledgerKey = chosen[keyOf(u)]!;
        await putMapping(fetch, { connectionId: u.connectionId, kind: u.kind, cwKey: u.cwKey, ledgerKey });
      }
      await onMapped();
    });

  const what = unmapped.length === 1 ? unmapped[0]!.cwKey : `${unmapped.length} codes`;
  return (
    <div class="map-inline" data-testid="map-inline">
      {lists ? (
        <fieldset class="confirm">
          <legend class="sr-only">Map the missing codes</legend>
          {unmapped.map((u, index) => (
            <label key={keyOf(u)} class="map-row">
              <span>
                {kindNames[u.kind]} {u.cwKey} maps to
              </span>
              <select
                data-testid={`map-choice-${index}`}
                value={chosen[keyOf(u)] ?? ''}
                onChange={(e) => setChosen({ ...chosen, [keyOf(u)]: e.currentTarget.value })}
              >
                <LedgerOptions options={lists[listOf(u)] ?? []} prompt="Choose…" />
              </select>
            </label>
          ))}
          <button
            type="button"
            class="btn btn-primary"
            data-testid="map-save"
            disabled={busy || unmapped.some((u) => !chosen[keyOf(u)])}
            onClick={save}
          >
            Save and retry
          </button>
        </fieldset>
      ) : (
        <button type="button" class="btn" data-testid="map-here" disabled={busy} onClick={open}>
          Map {what} here
        </button>
      )}
      {problem && <ProblemBox problem={problem} title="Could not map:" />}
    </div>
  );
}
