import { randomBytes } from 'node:crypto';
import { type Config, parseConfig } from '../../server/shared/config.js';

/**
 * Budgets far above what any test spends, so the budget guard never defers a test's background
 * work by the clock (a Xero day's pro-rata allowance is small just after midnight UTC); the budget
 * tests set their own (test/metering).
 */
export const testBudgets = {
  QBO_APP_READS_PER_MONTH: '1000000000',
  QBO_CONNECTION_READS_PER_MONTH: '1000000000',
  XERO_CALLS_PER_DAY: '1000000000',
  XERO_CALLS_PER_MINUTE: '1000000',
  CW_BUDGET_PER_MINUTE: '1000000',
};

/** A valid non-demo configuration listening on a free port. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const parsed = parseConfig({
    PORT: '0',
    SECRET_KEY: randomBytes(32).toString('hex'),
    SESSION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    DEMO: 'off',
    DATA_DIR: '/nonexistent-test-data-dir',
    // The callback watchdog registers callbacks in each test's ConnectWise and back-fills closes on a
    // clock schedule: off unless a test turns it on (or runs a pass itself).
    CW_CALLBACK_WATCH_MINUTES: '0',
    ...testBudgets,
    ...overrides,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.config;
}
