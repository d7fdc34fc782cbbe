import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Browser tests (npm run test:e2e): one seeded Patron server for the run (global setup),
 * one Chromium per test file, files one at a time.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../../', import.meta.url)),
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/support/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    // A page refreshes after a change within a few seconds on a busy machine, not within expect.poll's default second.
    expect: { poll: { timeout: 20_000 } },
  },
});
