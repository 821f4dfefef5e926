import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Loads again; with `quiet`, keeps showing the current data instead of a loading state. */
  reload(quiet?: boolean): Promise<void>;
  set(data: T): void;
}

/** Runs `load` when `key` changes; the latest answer wins, so a slow old one never overwrites. */
export function useLoad<T>(load: () => Promise<T>, key: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(async (quiet = false) => {
    const ticket = ++latest.current;
    if (!quiet) setState((s) => ({ ...s, loading: true }));
    try {
      const data = await loadRef.current();
      if (ticket === latest.current) setState({ data, loading: false });
    } catch (error) {
      if (ticket !== latest.current) return;
      const problem =
        error instanceof ApiError ? error : new ApiError(0, { code: 'client', message: String(error) });
      setState((s) => ({ data: quiet ? s.data : undefined, error: problem, loading: false }));
    }
  }, []);

  useEffect(() => {
    void reload();
  }, key);

  const set = useCallback((data: T) => {
    latest.current++;
    setState({ data, loading: false });
  }, []);

  return { data: state.data, error: state.error, loading: state.loading, reload, set };
}
