import { randomBytes } from 'node:crypto';
import { type Config, parseConfig } from '../../server/config.js';

/** A valid non-demo configuration listening on a free port. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const parsed = parseConfig({
    PORT: '0',
    SECRET_KEY: randomBytes(32).toString('hex'),
    SESSION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    DEMO: 'off',
    DATA_DIR: '/nonexistent-test-data-dir',
    ...overrides,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.config;
}
