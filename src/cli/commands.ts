import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config.js';
import { migrate } from '../db/migrate.js';
import { AppError } from '../errors.js';
import { createApiKey } from '../modules/api-keys/api-keys.service.js';
import { seedDemo } from '../modules/demo/demo.service.js';
import { seedBench } from '../modules/demo/bench-seed.js';
import { verifyLedger } from '../modules/points/points.verify.js';
import { createOrganization, getOrganizationBySlug } from '../modules/orgs/orgs.service.js';
import { createUser } from '../modules/users/users.service.js';
import type { Runtime } from '../runtime.js';
import { serve } from './serve.js';

/** Where a command runs and writes: its own process, or the server holding the embedded folder. */
export interface CommandIo {
  out(line: string): void;
  err(text: string): void;
  /** Runs `fn` with a runtime: a fresh one in a CLI process, the server's own when forwarded. */
  withRuntime<T>(config: Config, fn: (rt: Runtime) => Promise<T>, opts?: { migrate?: boolean }): Promise<T>;
  /** Called by a server once it listens, so other commands on its embedded folder reach it. */
  serving(rt: Runtime, url: string): Promise<void>;
}

export interface Command {
  options: NonNullable<ParseArgsConfig['options']>;
  required?: string[];
  /**
   * What happens while a server holds the embedded data folder: `forward` runs the command
   * inside that server (its effect is the server's), `refuse` stops with one line.
   */
  whenHeld: 'forward' | 'refuse';
  run(config: Config, values: Record<string, string | boolean | undefined>, io: CommandIo): Promise<number>;
}

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: string | boolean | undefined): string[] | undefined =>
  typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined;

export const COMMANDS: Record<string, Command> = {
  start: {
    options: { port: { type: 'string' } },
    whenHeld: 'refuse',
    run: (config, v, io) => serve(config, { port: str(v.port), firstRun: true, io }),
  },
  serve: {
    options: { port: { type: 'string' } },
    whenHeld: 'refuse',
    run: (config, v, io) => serve(config, { port: str(v.port), firstRun: false, io }),
  },
  worker: {
    options: { once: { type: 'boolean' } },
    whenHeld: 'refuse',
    run: async (config, v) => {
      const { runWorker } = await import('./worker.js');
      return runWorker(config, v.once === true);
    },
  },
  migrate: {
    options: {},
    whenHeld: 'forward',
    run: (config, _v, io) =>
      io.withRuntime(
        config,
        async (rt) => {
          const applied = await migrate(rt.ctx.database);
          io.out(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date');
          return 0;
        },
        { migrate: false },
      ),
  },
  'org create': {
    options: { slug: { type: 'string' }, name: { type: 'string' }, currency: { type: 'string' }, timezone: { type: 'string' } },
    required: ['slug', 'name'],
    whenHeld: 'forward',
    run: (config, v, io) =>
      io.withRuntime(config, async (rt) => {
        const org = await createOrganization(rt.ctx, { slug: str(v.slug)!, name: str(v.name)!, currency: str(v.currency), timezone: str(v.timezone) });
        io.out(`Created organization ${org.slug} (${org.id}), ${org.currency}, ${org.timezone}`);
        return 0;
      }),
  },
  'user create': {
    options: {
      org: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      permissions: { type: 'string' },
    },
    required: ['org', 'email', 'password', 'role'],
    whenHeld: 'forward',
    run: (config, v, io) =>
      io.withRuntime(config, async (rt) => {
        const role = str(v.role);
        if (role !== 'admin' && role !== 'staff') throw AppError.validation('--role', 'must be admin or staff');
        const org = await getOrganizationBySlug(rt.ctx, str(v.org)!);
        const user = await createUser(rt.ctx, org.id, {
          email: str(v.email)!,
          password: str(v.password)!,
          name: str(v.name),
          role,
          permissions: list(v.permissions),
        });
        io.out(`Created ${user.role} ${user.email} in ${org.slug} (${user.id}) with ${user.permissions.join(', ') || 'no permissions'}`);
        return 0;
      }),
  },
  'api-key create': {
    options: { org: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' } },
    required: ['org', 'name'],
    whenHeld: 'forward',
    run: (config, v, io) =>
      io.withRuntime(config, async (rt) => {
        const org = await getOrganizationBySlug(rt.ctx, str(v.org)!);
        const { apiKey, secret } = await createApiKey(rt.ctx, org.id, {
          name: str(v.name)!,
          scopes: list(v.scopes) ?? ['customers:read'],
          createdBy: null,
        });
        io.out(`Created API key "${apiKey.name}" (${apiKey.id}) with scopes ${apiKey.scopes.join(', ')}. The secret is shown once:`);
        io.out(secret);
        return 0;
      }),
  },
  verify: {
    options: { org: { type: 'string' } },
    whenHeld: 'forward',
    run: (config, v, io) =>
      io.withRuntime(config, async (rt) => {
        const slug = str(v.org);
        const orgId = slug ? (await getOrganizationBySlug(rt.ctx, slug)).id : null;
        const report = await verifyLedger(rt.ctx.db, orgId);
        for (const m of report.mismatches) io.out(`MISMATCH org=${m.orgId} customer=${m.customerId}: ${m.problem}`);
        io.out(`Checked ${report.customersChecked} customer(s): ${report.mismatches.length === 0 ? 'ledger consistent' : `${report.mismatches.length} mismatch(es)`}`);
        return report.mismatches.length === 0 ? 0 : 1;
      }),
  },
  'seed bench': {
    options: { customers: { type: 'string' }, org: { type: 'string' } },
    required: ['customers'],
    whenHeld: 'forward',
    run: (config, v, io) =>
      io.withRuntime(config, async (rt) => {
        const n = Number(str(v.customers));
        if (!Number.isSafeInteger(n) || n < 1 || n > 50_000_000) throw AppError.validation('--customers', 'must be a whole number from 1 to 50000000');
        const r = await seedBench(rt.ctx, {
          customers: n,
          orgSlug: str(v.org),
          onProgress: (done, total) => io.err(`\r${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} customers`),
        });
        io.err('\n');
        io.out(`Seeded ${r.customers} customers and ${r.orders} orders into "${r.orgSlug}" (${r.orgId}) in ${r.seconds.toFixed(1)} s`);
        return 0;
      }),
  },
  'seed demo': {
    options: {},
    whenHeld: 'forward',
    run: (config, _v, io) =>
      io.withRuntime(config, async (rt) => {
        const r = await seedDemo(rt.ctx);
        await r.content();
        io.out(r.created ? 'Created the demo organization "demo" with its program and customers.' : 'The demo organization already exists; nothing changed.');
        io.out(`Sign in as ${r.adminEmail} / ${r.adminPassword}`);
        return 0;
      }),
  },
};
