import { availableParallelism, loadavg } from 'node:os';

/**
 * How long tests wait before they give up. Every wait polls a condition and ends as soon as it
 * holds, so these bound only a failure (a hung test); they never decide a pass. The bases are sized
 * for a busy 2-core machine (load average around 10), where a browser action or a process start
 * takes many times its idle duration; a busier machine stretches them by `loadFactor`.
 */

/**
 * The machine's load per core when this module loaded, at least 1 (an idle machine waits the
 * base), at most 4 (a hung test still ends). `TEST_PATIENCE` (a number) overrides it, for a run
 * that knows it will be starved.
 */
export const loadFactor = (() => {
  const forced = Number(process.env.TEST_PATIENCE);
  if (Number.isFinite(forced) && forced > 0) return forced;
  const perCore = (loadavg()[0] ?? 0) / availableParallelism();
  return Math.min(4, Math.max(1, perCore / 5));
})();

/** A base ceiling stretched for this machine's load. */
export const patient = (baseMs: number) => Math.round(baseMs * loadFactor);

/** One Playwright action: a click, a fill, a locator's wait. */
export const uiActionMs = patient(30_000);
/** A condition polled until it holds (a state shown, a row stored). */
export const conditionMs = patient(60_000);
/** A child process starting, becoming ready, or exiting. */
export const processMs = patient(120_000);
/** One test (vitest's testTimeout): a few conditions and actions in a row. */
export const testMs = patient(240_000);
/** One hook (vitest's hookTimeout): a world started (databases, simulators, a browser). */
export const hookMs = patient(300_000);

/**
 * How long a test watches for something that must NOT happen (a forged message landing, a second
 * push). Not a ceiling: the test waits all of it, so it stays short; a busy machine lengthens it so
 * the wrong behaviour still has time to show.
 */
export const quietMs = (baseMs: number) => patient(baseMs);

/**
 * One read attempt inside a poll (a badge's attribute, a cell's text): it gives up soon so the
 * poll, not Playwright, owns the wait, but not so soon that a starved browser never answers one.
 */
export const readMs = patient(2_000);
