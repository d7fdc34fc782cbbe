import type { AnyReaction, OutboxConsumer } from '../../events/types.js';
import type { Schedule } from '../../jobs/scheduler.js';
import type { JobHandler } from '../../jobs/worker.js';
import type { RouteVerifier } from '../../http/security.js';
import type { ModuleCommand, ModuleRoutes } from '../module.js';
import type { PassPlatform } from './wallet.platforms.js';

/**
 * The wallet feature is one module made of parts: the passes themselves (core), Apple
 * Wallet, Google Wallet, messages (pushes, campaigns, "send loyalty card") and the
 * customer's side (pass web app, scans and taps). Each part contributes what a module
 * definition holds; a platform part also contributes its `PassPlatform`.
 */
export interface WalletPart {
  routes?: ModuleRoutes;
  verifiers?: Readonly<Record<string, RouteVerifier>>;
  jobs?: Readonly<Record<string, JobHandler>>;
  schedules?: readonly Schedule[];
  commands?: Readonly<Record<string, ModuleCommand>>;
  reactions?: readonly AnyReaction[];
  consumers?: readonly OutboxConsumer[];
  platform?: PassPlatform;
}

/** The parts as one module definition's fields; a name given by two parts is an error. */
export function mergeParts(parts: readonly WalletPart[]) {
  const jobs: Record<string, JobHandler> = {};
  const commands: Record<string, ModuleCommand> = {};
  const verifiers: Record<string, RouteVerifier> = {};
  const take = <T>(into: Record<string, T>, from: Readonly<Record<string, T>> | undefined, what: string) => {
    for (const [name, value] of Object.entries(from ?? {})) {
      if (name in into) throw new Error(`Two wallet parts define the ${what} "${name}"`);
      into[name] = value;
    }
  };
  for (const p of parts) {
    take(jobs, p.jobs, 'job');
    take(commands, p.commands, 'command');
    take(verifiers, p.verifiers, 'verifier');
  }
  const routes = parts.flatMap((p) => (p.routes ? [p.routes] : []));
  return {
    routes: async (...args: Parameters<ModuleRoutes>) => {
      for (const r of routes) await r(...args);
    },
    verifiers,
    jobs,
    schedules: parts.flatMap((p) => p.schedules ?? []),
    commands,
    reactions: parts.flatMap((p) => p.reactions ?? []),
    consumers: parts.flatMap((p) => p.consumers ?? []),
  };
}
