/**
 * Every date and time the pod shows, in the member's own locale (the browser's languages, which
 * ConnectWise's hosted API leaves to the browser: it passes no locale to a pod). One place, so the
 * pod, the workbench and the admin tab read alike.
 */
const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const moment = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

/**
 * A calendar date ("2024-03-05", as ConnectWise dates records) in the member's locale. Read as a
 * day, not a moment: formatting it as local midnight UTC would show the day before west of London.
 * Text that is not such a date is shown as it came.
 */
export function formatDate(text: string | null | undefined): string {
  if (!text) return '';
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!match) return text;
  return day.format(new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))));
}

/** A moment (an ISO timestamp: an event, a run) in the member's locale and time zone. */
export function formatDateTime(iso: string | null | undefined, none = ''): string {
  if (!iso) return none;
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : moment.format(at);
}

/**
 * The server's sentences name dates as ISO days ("dated 2023-07-01, cutoff 2023-12-31"): each such
 * day in the member's locale. A day inside a number or code (INV-2023-07-01) is left alone.
 */
export const localDates = (text: string): string =>
  text.replace(/(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])/g, (day) => formatDate(day));
