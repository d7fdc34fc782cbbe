import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { JOB_HANDLERS, SCHEDULES } from '../../src/jobs/registry.js';
import { MODULES } from '../../src/modules/index.js';
import { buildModuleRegistry, definePatronModule } from '../../src/modules/module.js';

describe('the module list', () => {
  it('names each module once and builds the worker and the CLI from it', () => {
    const names = MODULES.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const type of ['customers.points_bulk', 'analytics.refresh', 'imports.run', 'membership.bulk', 'rules.dates', 'tiers.assess', 'coupons.expire', 'points.maintenance', 'system.prune']) {
      expect(typeof JOB_HANDLERS[type], type).toBe('function');
    }
    for (const s of SCHEDULES) expect(typeof JOB_HANDLERS[s.jobType], s.jobType).toBe('function');
    expect(SCHEDULES.map((s) => s.jobType)).toEqual(expect.arrayContaining(['analytics.refresh', 'coupons.expire', 'points.maintenance', 'system.prune', 'rules.dates', 'tiers.assess']));
    for (const words of ['start', 'serve', 'worker', 'migrate', 'org create', 'user create', 'api-key create', 'verify', 'seed demo', 'seed bench']) {
      expect(COMMANDS[words], words).toBeDefined();
    }
  });

  it('refuses a job type, command, verifier or module name declared twice, naming both modules', () => {
    const job = async () => undefined;
    const a = definePatronModule({ name: 'alpha', jobs: { 'x.run': job } });
    const b = definePatronModule({ name: 'beta', jobs: { 'x.run': job } });
    expect(() => buildModuleRegistry([a, b])).toThrow('The job type "x.run" is declared by both module "alpha" and module "beta"');
    const verify = { verify: async () => ({ orgId: 'o', actor: { type: 'integration' as const, id: null, name: 'X' }, claims: {} }) };
    expect(() => buildModuleRegistry([definePatronModule({ name: 'one', verifiers: { v: verify } }), definePatronModule({ name: 'two', verifiers: { v: verify } })])).toThrow(
      'The verifier "v" is declared by both module "one" and module "two"',
    );
    expect(() => buildModuleRegistry([a, a])).toThrow('The module "alpha"');
    expect(() => definePatronModule({ name: 'Bad Name' })).toThrow(/lower-case/);
  });
});
