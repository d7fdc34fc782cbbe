import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';

// The boundary check CI runs on src/ (npm run check:boundaries), run on a folder with a
// deliberate circle and a deliberate reach into another feature's file: it must fail and name
// them, so a passing CI run means something.
describe('import boundary check', () => {
  let run: SpawnSyncReturns<string>;
  beforeAll(() => {
    run = spawnSync(process.execPath, ['scripts/check-boundaries.mjs', 'test/fixtures/boundaries'], { encoding: 'utf8' });
  });

  it('fails on a circle between feature folders and names the files', () => {
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('feature-circle: alpha, beta depend on each other');
    expect(run.stderr).toContain('no-circular: test/fixtures/boundaries/src/modules/alpha/index.ts');
    expect(run.stderr).not.toContain('gamma depend');
  });

  it("fails when a feature imports another feature's file instead of its public entry", () => {
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('feature-public-entry: test/fixtures/boundaries/src/modules/delta/index.ts -> test/fixtures/boundaries/src/modules/gamma/gamma.internal.ts');
    // gamma's own public entry used by gamma's users is fine.
    expect(run.stderr).not.toContain('feature-public-entry: test/fixtures/boundaries/src/modules/gamma/index.ts');
  });
});
