import type { Config } from '../config.js';
import { migrate } from '../db/migrate.js';
import { MODULES } from '../modules/index.js';
import { buildModuleRegistry, optionText, type ModuleCommand, type ModuleCommandIo } from '../modules/module.js';
import type { Runtime } from '../runtime.js';
import { serve } from './serve.js';

/** Where a command runs and writes: its own process, or the server holding the embedded folder. */
export interface CommandIo extends ModuleCommandIo {
  /** Runs `fn` with a runtime: a fresh one in a CLI process, the server's own when forwarded. */
  withRuntime<T>(config: Config, fn: (rt: Runtime) => Promise<T>, opts?: { migrate?: boolean }): Promise<T>;
  /** Called by a server once it listens, so other commands on its embedded folder reach it. */
  serving(rt: Runtime, url: string): Promise<void>;
}

/** A command: a process command below, or a feature command from a module. */
export interface Command extends Omit<ModuleCommand, 'run'> {
  run(config: Config, values: Record<string, string | boolean | undefined>, io: CommandIo): Promise<number>;
}

/** Commands that run the process itself; every other command comes from a feature module. */
const PROCESS_COMMANDS: Record<string, Command> = {
  start: {
    options: { port: { type: 'string' } },
    whenHeld: 'refuse',
    run: (config, v, io) => serve(config, { port: optionText(v.port), firstRun: true, io }),
  },
  serve: {
    options: { port: { type: 'string' } },
    whenHeld: 'refuse',
    run: (config, v, io) => serve(config, { port: optionText(v.port), firstRun: false, io }),
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
};

function allCommands(): Record<string, Command> {
  const out: Record<string, Command> = { ...PROCESS_COMMANDS };
  for (const [words, command] of Object.entries(buildModuleRegistry(MODULES).commands)) {
    if (out[words]) throw new Error(`The command "${words}" is declared by a module and by the CLI`);
    out[words] = command;
  }
  return out;
}

export const COMMANDS: Readonly<Record<string, Command>> = allCommands();
