import { describe, expect, it } from 'vitest';
import { callbackHealth, connectionHealth } from '../../server/ledgers/connections/connection-health.js';

const now = new Date('2026-12-02T12:00:00Z');
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

describe('health problems and their fixes (pure)', () => {
  const connection = {
    id: 'c1',
    kind: 'qbo' as const,
    name: 'Books',
    status: 'active' as const,
    statusReason: null,
    accessExpiresAt: new Date(now.getTime() + 30 * 60_000),
    lastWebhookAt: ago(5),
    paymentsCheckedThrough: ago(1),
  };

  it('a healthy connection has no problem', () => {
    expect(connectionHealth(connection, now).problems).toEqual([]);
  });

  it('an access token long expired on an active connection: refreshes are failing, reconnect', () => {
    const problems = connectionHealth({ ...connection, accessExpiresAt: ago(180) }, now).problems;
    expect(problems.map((p) => [p.code, p.action])).toEqual([['token_not_refreshed', 'reconnect']]);
  });

  it('a payments check hours old asks for a check now; a disconnected connection asks only to reconnect', () => {
    expect(
      connectionHealth({ ...connection, paymentsCheckedThrough: ago(7 * 60) }, now).problems.map(
        (p) => p.action,
      ),
    ).toEqual(['check-payments']);
    expect(
      connectionHealth(
        { ...connection, status: 'disconnected', paymentsCheckedThrough: null },
        now,
      ).problems.map((p) => p.code),
    ).toEqual(['ledger_reconnect']);
  });

  const watch = {
    state: 'healthy' as const,
    checkedAt: ago(10),
    repairedAt: null,
    repairedProblem: null,
    backfilledCount: 0,
    lastError: null,
  };
  const facts = { watch, lastCallbackAt: ago(30), callbacksLastDay: 4, watchMinutes: 15 };

  it('a callback checked on schedule has no problem; one not checked for three periods is overdue', () => {
    expect(callbackHealth(facts, now).problems).toEqual([]);
    expect(
      callbackHealth({ ...facts, watch: { ...watch, checkedAt: ago(46) } }, now).problems.map((p) => p.code),
    ).toEqual(['callback_check_overdue']);
  });

  it("a failed check names ConnectWise's error and its hint as the fix", () => {
    const lastError = {
      code: 'cw_unauthorized',
      message: 'ConnectWise refused the keys',
      hint: 'Renew the API keys',
      retryable: false,
    };
    const [problem] = callbackHealth(
      { ...facts, watch: { ...watch, state: 'failed', lastError } },
      now,
    ).problems;
    expect(problem).toMatchObject({
      code: 'callback_check_failed',
      message: expect.stringContaining('ConnectWise refused the keys'),
      fix: 'Renew the API keys',
      action: 'check-callback',
    });
  });
});
