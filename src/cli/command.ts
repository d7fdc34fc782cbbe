import type { Config } from '../config.js';
import type { ModuleCommand, ModuleCommandIo } from '../modules/module.js';
import type { Runtime } from '../runtime.js';

/** Where a command runs and writes: its own process, or the server holding the embedded folder. */
export interface CommandIo extends ModuleCommandIo {
  /** Runs `fn` with a runtime: a fresh one in a CLI process, the server's own when forwarded. */
  withRuntime<T>(config: Config, fn: (rt: Runtime) => Promise<T>, opts?: { migrate?: boolean }): Promise<T>;
  /** Called by a server once it listens, so other commands on its embedded folder reach it. */
  serving(rt: Runtime, url: string): Promise<void>;
}

/** A command: a process command (serve, worker, migrate) or a feature command from a module. */
export interface Command extends Omit<ModuleCommand, 'run'> {
  run(config: Config, values: Record<string, string | boolean | undefined>, io: CommandIo): Promise<number>;
}
