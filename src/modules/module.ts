/**
 * A feature module: everything one feature folder contributes to the server, the worker and
 * the CLI, declared in one place (its `index.ts`). The list in `src/modules/index.ts` names
 * the modules; nothing else has to know a feature exists.
 */
import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import type { EventContributions } from '../events/types.js';
import type { RouteVerifier } from '../http/security.js';
import type { ZodApp } from '../http/types.js';
import type { Schedule } from '../jobs/scheduler.js';
import type { JobHandler } from '../jobs/worker.js';

/**
 * A module's routes. The server registers each module's routes in an encapsulated Fastify
 * plugin without a prefix, so every URL is the one the module writes; hooks and decorators a
 * module adds stay inside it.
 */
export type ModuleRoutes = (app: ZodApp, ctx: AppContext) => Promise<void>;

/** What a module's CLI command gets to run with. */
export interface ModuleCommandRuntime {
  readonly ctx: AppContext;
}

/** Where a module's CLI command prints, and how it gets a database. */
export interface ModuleCommandIo {
  out(line: string): void;
  err(text: string): void;
  /** Runs `fn` with a runtime: a fresh one in a CLI process, the server's own when forwarded. */
  withRuntime<T>(config: Config, fn: (rt: ModuleCommandRuntime) => Promise<T>, opts?: { migrate?: boolean }): Promise<T>;
}

/** A `patron <words>` command contributed by a module (e.g. `seed demo`, `org create`). */
export interface ModuleCommand {
  options: NonNullable<ParseArgsConfig['options']>;
  required?: string[];
  /**
   * What happens while a server holds the embedded data folder: `forward` runs the command
   * inside that server (its effect is the server's), `refuse` stops with one line.
   */
  whenHeld: 'forward' | 'refuse';
  run(config: Config, values: Record<string, string | boolean | undefined>, io: ModuleCommandIo): Promise<number>;
}

/** Besides the fields below: its reactions, outbox consumers, profile sections and earn multiplier (see docs/events.md). */
export interface PatronModule extends EventContributions {
  /** Unique, lower-case; names the module in errors and docs. */
  readonly name: string;
  /** The module's HTTP routes (each declares its authentication in `config.auth`). */
  readonly routes?: ModuleRoutes;
  /** Named request verifiers routes can use with `config: { auth: { verifier: name } }`. */
  readonly verifiers?: Readonly<Record<string, RouteVerifier>>;
  /** Background job handlers by job type (the type is owned by this module). */
  readonly jobs?: Readonly<Record<string, JobHandler>>;
  /** Periodic jobs, enqueued per organization once per period; each names one of `jobs`. */
  readonly schedules?: readonly Schedule[];
  /** CLI commands by their words, e.g. `'seed demo'`. */
  readonly commands?: Readonly<Record<string, ModuleCommand>>;
}

/** Declares a module; checks its shape once, when the module list is loaded. */
export function definePatronModule<const M extends PatronModule>(module: M): M {
  if (!/^[a-z][a-z0-9-]*$/.test(module.name)) throw new Error(`Module name "${module.name}" must be lower-case letters, digits and dashes`);
  for (const s of module.schedules ?? []) {
    if (!module.jobs?.[s.jobType]) throw new Error(`Module "${module.name}" schedules "${s.jobType}" but has no job handler for it`);
  }
  return module;
}

/** What the modules contribute, merged, with each name owned by exactly one module. */
export interface ModuleRegistry {
  readonly modules: readonly PatronModule[];
  readonly jobs: Readonly<Record<string, JobHandler>>;
  readonly schedules: readonly Schedule[];
  readonly commands: Readonly<Record<string, ModuleCommand>>;
  readonly verifiers: ReadonlyMap<string, RouteVerifier>;
}

/** Merges a module list; a module name, job type, command or verifier claimed twice is an error. */
export function buildModuleRegistry(modules: readonly PatronModule[]): ModuleRegistry {
  const owner = new Map<string, string>();
  const claim = (kind: string, name: string, module: string): void => {
    const key = `${kind} ${name}`;
    const prior = owner.get(key);
    if (prior) throw new Error(`The ${kind} "${name}" is declared by both module "${prior}" and module "${module}"`);
    owner.set(key, module);
  };
  const jobs: Record<string, JobHandler> = {};
  const schedules: Schedule[] = [];
  const commands: Record<string, ModuleCommand> = {};
  const verifiers = new Map<string, RouteVerifier>();
  for (const m of modules) {
    claim('module', m.name, m.name);
    for (const [type, handler] of Object.entries(m.jobs ?? {})) {
      claim('job type', type, m.name);
      jobs[type] = handler;
    }
    schedules.push(...(m.schedules ?? []));
    for (const [words, command] of Object.entries(m.commands ?? {})) {
      claim('command', words, m.name);
      commands[words] = command;
    }
    for (const [name, verifier] of Object.entries(m.verifiers ?? {})) {
      claim('verifier', name, m.name);
      verifiers.set(name, verifier);
    }
  }
  return { modules, jobs, schedules, commands, verifiers };
}

/** A command option's text value (`--name value`). */
export const optionText = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** A comma-separated command option as a list (`--scopes a,b`). */
export const optionList = (v: string | boolean | undefined): string[] | undefined =>
  typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
