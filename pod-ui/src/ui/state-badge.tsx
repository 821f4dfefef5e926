import type { RecordState } from '../api/types.js';
import { stateLabels } from './states.js';

export function StateBadge({ state, testId }: { state: RecordState; testId?: string }) {
  return (
    <span class={`badge badge-${state}`} data-testid={testId} data-state={state}>
      {stateLabels[state] ?? state}
    </span>
  );
}
