import { defineConfig } from 'vitest/config';
import { hookMs, testMs } from './test/support/patience.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Ceilings for a hung test or hook, stretched on a busy machine (test/support/patience.ts); no
    // test sets its own number.
    testTimeout: testMs,
    hookTimeout: hookMs,
    pool: 'forks',
    // Two cores: a few files at once keeps the embedded databases from starving each other.
    maxWorkers: 3,
    setupFiles: ['test/support/setup.ts'],
  },
});
