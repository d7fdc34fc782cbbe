import { buildModuleRegistry } from '../modules/module.js';
import { MODULES } from '../modules/index.js';
import type { JobHandler } from './worker.js';
import type { Schedule } from './scheduler.js';

const registry = buildModuleRegistry(MODULES);

/** Job handlers by type, contributed by the modules (handlers stay thin and call services). */
export const JOB_HANDLERS: Readonly<Record<string, JobHandler>> = registry.jobs;

/** Periodic jobs, enqueued per organization once per period, contributed by the modules. */
export const SCHEDULES: readonly Schedule[] = registry.schedules;
