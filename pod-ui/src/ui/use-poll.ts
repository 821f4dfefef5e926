import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * Calls `tick` every `intervalMs` while `active`, for at most `maxMs`; returns true once it gave up,
 * so a stuck job does not poll forever in a tab nobody looks at.
 */
export function usePoll(active: boolean, tick: () => Promise<unknown>, intervalMs = 1_000, maxMs = 120_000) {
  const [gaveUp, setGaveUp] = useState(false);
  const tickRef = useRef(tick);
  tickRef.current = tick;

  useEffect(() => {
    if (!active) return;
    setGaveUp(false);
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout>;
    let stopped = false;
    const next = () => {
      timer = setTimeout(async () => {
        if (Date.now() - started > maxMs) return setGaveUp(true);
        await tickRef.current().catch(() => undefined);
        if (!stopped) next();
      }, intervalMs);
    };
    next();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [active, intervalMs, maxMs]);

  return gaveUp;
}
