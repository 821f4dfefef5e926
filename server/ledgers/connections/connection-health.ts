import type { CallbackHealth as CallbackHealthView, HealthProblem } from '../../../contract/health.js';
import type { Sendable } from '../../../contract/json.js';
import { ledgerLabels as labels } from '../../../contract/ledger-kinds.js';
import type { CallbackWatchState, LedgerKind, StoredError } from '../../db/schema.js';
/**
 * Health in one place (issue 15 item 4): what the admin tab shows of each connection and of the
 * tenant's ConnectWise callback, each problem with the fix for it. Pure: the route reads the rows.
 */
// A problem and its fix are the API's (the admin tab shows them), and budgets.ts (outbound, a lower
// layer) words problems too: declared once in the contract.

export interface CallbackFacts {
  watch:
    | {
        state: CallbackWatchState;
        checkedAt: Date;
        repairedAt: Date | null;
        repairedProblem: 'disabled' | 'missing' | null;
        backfilledCount: number;
        lastError: StoredError | null;
      }
    | undefined;
  lastCallbackAt: Date | null;
  callbacksLastDay: number;
  /** Minutes between watchdog passes; 0 when the schedule is off. */
  watchMinutes: number;
}

export interface ConnectionFacts {
  id: string;
  kind: LedgerKind;
  name: string;
  status: 'active' | 'needs_reconnect' | 'disconnected';
  statusReason: string | null;
  accessExpiresAt: Date;
  lastWebhookAt: Date | null;
  paymentsCheckedThrough: Date | null;
}

const hour = 3_600_000;

/** Its times are Dates until JSON writes them as ISO text (contract/json.ts Sendable). */
export function callbackHealth(facts: CallbackFacts, now: Date): Sendable<CallbackHealthView> {
  const problems: HealthProblem[] = [];
  const w = facts.watch;
  if (!w) {
    problems.push({
      code: 'callback_unchecked',
      message:
        facts.watchMinutes > 0
          ? 'The ConnectWise callback has not been checked yet.'
          : 'The ConnectWise callback is never checked: the watchdog schedule is off (CW_CALLBACK_WATCH_MINUTES=0).',
      fix: 'Check it now: a missing callback is registered and closes it missed are picked up.',
      action: 'check-callback',
    });
  } else if (w.state === 'failed') {
    problems.push({
      code: 'callback_check_failed',
      message: `The last check of the ConnectWise callback failed: ${w.lastError?.message ?? 'unknown error'}.`,
      fix:
        w.lastError?.hint ??
        'Check that the ConnectWise API member can read and add callbacks, then check again.',
      action: 'check-callback',
    });
  } else if (
    facts.watchMinutes > 0 &&
    now.getTime() - w.checkedAt.getTime() > 3 * facts.watchMinutes * 60_000
  ) {
    problems.push({
      code: 'callback_check_overdue',
      message: `The ConnectWise callback was last checked ${w.checkedAt.toISOString()}: the watchdog is not running.`,
      fix: 'Make sure a worker process is running, or check it now.',
      action: 'check-callback',
    });
  }
  return {
    state: w?.state ?? 'unchecked',
    checkedAt: w?.checkedAt ?? null,
    repairedAt: w?.repairedAt ?? null,
    repairedProblem: w?.repairedProblem ?? null,
    backfilledCount: w?.backfilledCount ?? 0,
    lastCallbackAt: facts.lastCallbackAt,
    callbacksLastDay: facts.callbacksLastDay,
    problems,
  };
}

export function connectionHealth(c: ConnectionFacts, now: Date) {
  const problems: HealthProblem[] = [];
  const label = labels[c.kind];
  if (c.status !== 'active') {
    problems.push({
      code: 'ledger_reconnect',
      message: `${label} is ${c.status === 'disconnected' ? 'disconnected' : 'not accepting our sign-in'}${c.statusReason ? `: ${c.statusReason}` : ''}. Nothing is pushed to it and no payments come back.`,
      fix: `Reconnect ${label} (an admin of the ${label} company signs in again).`,
      action: 'reconnect',
    });
  } else if (now.getTime() - c.accessExpiresAt.getTime() > hour) {
    // An access token lives an hour and is refreshed before use: long expired means refreshes fail.
    problems.push({
      code: 'token_not_refreshed',
      message: `The ${label} access token expired ${c.accessExpiresAt.toISOString()} and has not been refreshed since.`,
      fix: `If it stays so, reconnect ${label}; a refresh token unused for too long stops working.`,
      action: 'reconnect',
    });
  }
  if (
    c.status === 'active' &&
    (!c.paymentsCheckedThrough || now.getTime() - c.paymentsCheckedThrough.getTime() > 6 * hour)
  ) {
    problems.push({
      code: 'payments_check_stale',
      message: c.paymentsCheckedThrough
        ? `Payments in ${label} were last checked through ${c.paymentsCheckedThrough.toISOString()}.`
        : `Payments in ${label} have not been checked yet.`,
      fix: 'Check payments now; if this stays, make sure a worker process is running.',
      action: 'check-payments',
    });
  }
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    status: c.status,
    accessExpiresAt: c.accessExpiresAt,
    lastWebhookAt: c.lastWebhookAt,
    paymentsCheckedThrough: c.paymentsCheckedThrough,
    problems,
  };
}

type CallbackHealth = ReturnType<typeof callbackHealth>;
type ConnectionHealth = ReturnType<typeof connectionHealth>;
