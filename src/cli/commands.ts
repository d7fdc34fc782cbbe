import { migrate } from '../db/migrate.js';
import { MODULES } from '../modules/index.js';
import { buildModuleRegistry, optionText } from '../modules/module.js';
import type { Command } from './command.js';
import { serve } from './serve.js';

export type { Command, CommandIo } from './command.js';

/** Commands that run the process itself; every other command comes from a feature module. */
const PROCESS_COMMANDS: Record<string, Command> = {
  start: {
    options: { port: { type: 'string' }, processes: { type: 'string' } },
    whenHeld: 'refuse',
    run: (config, v, io) => serve(config, { port: optionText(v.port), processes: optionText(v.processes), firstRun: true, io }),
  },
  serve: {
    options: { port: { type: 'string' }, processes: { type: 'string' } },
    whenHeld: 'refuse',
    run: (config, v, io) => serve(config, { port: optionText(v.port), processes: optionText(v.processes), firstRun: false, io }),
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
