import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { systemClock, type AppContext, type Clock } from './context.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrate.js';
import { buildApp } from './http/app.js';
import { Metrics } from './http/metrics.js';
import { JOB_HANDLERS, SCHEDULES } from './jobs/registry.js';
import { Scheduler } from './jobs/scheduler.js';
import { Worker } from './jobs/worker.js';
import { createLogger } from './logger.js';
import './modules/wiring.js';

export interface Runtime {
  ctx: AppContext;
  metrics: Metrics;
  close(): Promise<void>;
}

export async function openRuntime(config: Config, opts: { clock?: Clock; logger?: Logger; migrate?: boolean } = {}): Promise<Runtime> {
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
  const ctx: AppContext = { database, db: database.db, clock: opts.clock ?? systemClock, logger, config };
  return { ctx, metrics: new Metrics(), close: () => database.close() };
}

export function createWorker(rt: Runtime): { worker: Worker; scheduler: Scheduler } {
  const scheduler = new Scheduler(rt.ctx, SCHEDULES);
  const worker = new Worker(rt.ctx, {
    handlers: JOB_HANDLERS,
    metrics: rt.metrics,
    beforeTick: async () => {
      await scheduler.tick();
    },
  });
  return { worker, scheduler };
}

export async function createHttp(rt: Runtime, serveAdmin = true): Promise<FastifyInstance> {
  return buildApp(rt.ctx, { metrics: rt.metrics, serveAdmin });
}
