import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The boundary check CI runs on src/ (npm run check:boundaries), run on a folder with a
// deliberate circle: it must fail and name the circle, so a passing CI run means something.
describe('import boundary check', () => {
  it('fails on a circle between feature folders and names the files', () => {
    const run = spawnSync(process.execPath, ['scripts/check-boundaries.mjs', 'test/fixtures/boundaries'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('feature-circle: alpha, beta depend on each other');
    expect(run.stderr).toContain('no-circular: test/fixtures/boundaries/src/modules/alpha/index.ts');
    expect(run.stderr).not.toContain('gamma depend');
  });
});
