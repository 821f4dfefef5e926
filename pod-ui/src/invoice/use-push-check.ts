import { useEffect, useRef, useState } from 'preact/hooks';
import { checkRecord } from '../api/records.js';
import type { Recheck, RecordDetail, RecordState, RecordType } from '../api/types.js';
import { usePod } from '../ui/pod-context.js';

/**
 * How long the pod holds ConnectWise's Save for its check. ConnectWise waits for a pod's beforeSave
 * answer and publishes no limit (domain.md §3 says only that the save waits), so the pod answers
 * when the check is done or after this, whichever is first, and always with success: a check that
 * finds a problem informs, it never blocks the save. The figure is ours, not ConnectWise's.
 */
export const beforeSaveBudgetMs = 1_500;

/** Nothing left for a push to do: a check would only cost ConnectWise calls. */
const settledStates: ReadonlySet<RecordState> = new Set(['synced', 'partly_paid', 'paid', 'onboarded']);

export interface PushCheckResult {
  recheck: Recheck;
  /** What asked: ConnectWise's Save (beforeSave) or the screen loading with a failed record. */
  on: 'save' | 'load';
}

/**
 * A fix ConnectWise showed since the record last failed, from its audit trail (newest first), so the
 * pod says so whoever noticed it (this pod, another one, or a ConnectWise callback).
 */
export function fixNoticed(detail: RecordDetail | undefined): { syncing: boolean } | undefined {
  for (const event of detail?.events ?? []) {
    if (event.kind === 'fixed_in_connectwise')
      return { syncing: typeof event.detail === 'object' && event.detail.syncing === true };
    // The failure itself (a note made while failed carries error -> error and is no failure).
    if (event.toState === 'error' && event.fromState !== 'error') return undefined;
  }
  return undefined;
}

/**
 * The check before a push, run when ConnectWise's screen saves (beforeSave) and when it loads with a
 * failed record (the pod's first paint, or onLoad): the pod shows what would stop the push, the
 * document it would create, and a fix it notices ("Fixed: syncing") instead of the stale error.
 */
export function usePushCheck(
  type: RecordType,
  cwId: string,
  state: RecordState | undefined,
  onRecord: (detail: RecordDetail) => void,
): PushCheckResult | undefined {
  const { fetch, hosted } = usePod();
  const [result, setResult] = useState<PushCheckResult>();
  const latest = useRef({ state, onRecord });
  latest.current = { state, onRecord };
  const checkedOnLoad = useRef(false);

  const run = async (on: PushCheckResult['on']) => {
    const recheck = await checkRecord(fetch, type, cwId);
    setResult({ recheck, on });
    if (recheck.record) latest.current.onRecord(recheck.record);
  };
  const checkFailed = () => {
    if (checkedOnLoad.current || latest.current.state !== 'error') return;
    checkedOnLoad.current = true;
    void run('load').catch(() => undefined);
  };

  // The screen loaded with this record failed: was it fixed meanwhile (the save that reloaded it)?
  useEffect(checkFailed, [state]);
  useEffect(
    () =>
      hosted.onEvent(async (event) => {
        if (event.event === 'onLoad') return checkFailed();
        const current = latest.current.state;
        if (current !== undefined && settledStates.has(current)) return;
        const check = run('save').catch(() => undefined);
        await Promise.race([check, new Promise((resolve) => setTimeout(resolve, beforeSaveBudgetMs))]);
      }),
    [hosted, type, cwId],
  );
  return result;
}
