import { statSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Files known to run longest start first, so that neither worker is left alone with one of
 * them at the end; the others follow, largest first.
 */
const LONGEST_FIRST = [
  'test/integration/ledger-model.test.ts',
  'test/cli/cli.test.ts',
  'test/cli/embedded-owner.test.ts',
  'test/integration/idempotency-crash.test.ts',
];

class LongestFirst extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((name) => f.moduleId.endsWith(name));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    const size = (f: TestSpecification) => statSync(f.moduleId).size;
    return Promise.resolve([...files].sort((a, b) => rank(a) - rank(b) || size(b) - size(a)));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // Each worker process runs file after file without reloading the application's modules,
    // and hands the embedded database a file closed to the next one (test/helpers/embedded-database.ts).
    isolate: false,
    sequence: { sequencer: LongestFirst },
  },
});
