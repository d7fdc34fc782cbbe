import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { systemClock, type AppContext, type Clock } from './context.js';
import { openDatabase, type Database } from './db/database.js';
import { EmbeddedMaintenance } from './db/embedded-maintenance.js';
import { migrate } from './db/migrate.js';
import { buildApp } from './http/app.js';
import { Metrics } from './http/metrics.js';
import { Scheduler } from './jobs/scheduler.js';
import { Worker } from './jobs/worker.js';
import { OutboxDispatcher } from './events/dispatcher.js';
import { buildEventRegistry } from './events/registry.js';
import { createLogger } from './logger.js';
import { MODULES } from './modules/index.js';
import { buildModuleRegistry, type ModuleRegistry, type PatronModule } from './modules/module.js';

export interface Runtime {
  ctx: AppContext;
  metrics: Metrics;
  /** What the feature modules contribute: jobs, schedules, commands, route verifiers. */
  registry: ModuleRegistry;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  clock?: Clock;
  logger?: Logger;
  migrate?: boolean;
  /** The feature modules this process runs (all of them by default). */
  modules?: readonly PatronModule[];
}

export async function openRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const modules = opts.modules ?? MODULES;
  const registry = buildModuleRegistry(modules);
  const events = buildEventRegistry(modules);
  const logger = opts.logger ?? createLogger(config.logLevel);
  const database: Database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: join(config.dataDir, 'pglite'),
    poolSize: config.poolSize,
  });
  if (opts.migrate !== false) {
    const applied = await migrate(database);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }
  const ctx: AppContext = { database, db: database.db, clock: opts.clock ?? systemClock, logger, config, events };
  return { ctx, metrics: new Metrics(), registry, close: () => database.close() };
}

/** The job worker with its scheduler, and the outbox dispatcher that delivers committed events to consumers. */
export function createWorker(rt: Runtime): { worker: Worker; scheduler: Scheduler; dispatcher: OutboxDispatcher } {
  const scheduler = new Scheduler(rt.ctx, rt.registry.schedules);
  const maintenance = new EmbeddedMaintenance(rt.ctx.database, rt.ctx.clock, rt.ctx.logger);
  const worker = new Worker(rt.ctx, {
    handlers: rt.registry.jobs,
    metrics: rt.metrics,
    beforeTick: async () => {
      await scheduler.tick();
      await maintenance.tick();
    },
  });
  return { worker, scheduler, dispatcher: new OutboxDispatcher(rt.ctx) };
}

export async function createHttp(rt: Runtime, serveAdmin = true): Promise<FastifyInstance> {
  return buildApp(rt.ctx, { metrics: rt.metrics, serveAdmin, modules: rt.registry.modules });
}
