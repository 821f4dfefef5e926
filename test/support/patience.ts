/**
 * How long tests wait before they give up. Every wait polls a condition and ends as soon as it
 * holds, so these bound only a failure; they are sized for a busy 2-core machine (load average
 * around 10), where a browser action or a process start takes many times its idle duration.
 */
/** One Playwright action: a click, a fill, a locator's wait. */
export const uiActionMs = 30_000;
/** A condition polled until it holds (a state shown, a row stored). */
export const conditionMs = 60_000;
/** A child process starting, becoming ready, or exiting. */
export const processMs = 120_000;
