import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Two cores: a few files at once keeps the embedded databases from starving each other.
    maxWorkers: 3,
    setupFiles: ['test/support/setup.ts'],
  },
});
