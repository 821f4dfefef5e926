import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { Problem } from '../api/types.js';

/** What a failed request means to the person: the API's error envelope, or what the browser said. */
export const problemOf = (error: unknown): Problem =>
  error instanceof ApiError ? error : { code: 'client', message: String(error) };

/** One action a person started: `busy` while it runs, and its failure as a `problem` to show. */
export function useAttempt() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const attempt = async (work: () => Promise<void>) => {
    setBusy(true);
    setProblem(undefined);
    try {
      await work();
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };
  return { busy, problem, attempt };
}
