import cluster, { type Worker as ClusterChild } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config.js';

/** Set by the primary in each server process it starts: which one it is (1..N). */
export const PROCESS_INDEX_ENV = 'PATRON_PROCESS_INDEX';
const MAX_PROCESSES = 64;

/**
 * How many server processes `serve --processes` runs: the number given, else one per core on
 * PostgreSQL and one on the embedded database, which lives inside a single process.
 */
export function resolveProcesses(raw: string | undefined, config: Pick<Config, 'databaseUrl'>): { processes: number } | { error: string } {
  if (raw === undefined) return { processes: config.databaseUrl ? Math.min(MAX_PROCESSES, availableParallelism()) : 1 };
  const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PROCESSES) {
    return { error: `--processes must be a whole number from 1 to ${MAX_PROCESSES} (got "${raw}")` };
  }
  if (n > 1 && !config.databaseUrl) {
    return {
      error:
        `--processes ${n} needs PostgreSQL: the embedded database lives inside one process, so it is served by one process only. ` +
        'Set DATABASE_URL to run several, or leave out --processes',
    };
  }
  return { processes: n };
}

/** In a server process started by `serve --processes N`: its number (1..N); null in a lone server. */
export function processIndex(): number | null {
  if (!cluster.isWorker) return null;
  const n = Number(process.env[PROCESS_INDEX_ENV]);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** Messages a server process sends to the primary. */
export type ChildMessage = { type: 'patron:ready'; url: string };

/** Tells the primary this server process listens at `url`. */
export function reportReady(url: string): void {
  const msg: ChildMessage = { type: 'patron:ready', url };
  process.send?.(msg);
}

/** Lets a server process that has shut down exit (its link to the primary would keep it alive). */
export function leaveCluster(): void {
  if (cluster.isWorker) cluster.worker?.disconnect();
}

export interface PrimaryOptions {
  processes: number;
  /** Whether the job worker runs (PATRON_WORKER); it runs in process 1 only. */
  worker: boolean;
  logger: Logger;
  say(line: string): void;
  describe(url: string): string;
  /** How long children get to finish their requests and jobs after SIGTERM before they are killed. */
  stopTimeoutMs?: number;
}

interface Slot {
  index: number;
  child: ClusterChild | null;
  ready: boolean;
  startedAt: number;
  /** Consecutive quick crashes, for the restart delay. */
  crashes: number;
}

const QUICK_CRASH_MS = 10_000;

/**
 * The primary of `serve --processes N`: forks N server processes that share the port
 * (node:cluster hands each accepted connection to one of them in turn), restarts one that
 * exits while serving, and on SIGTERM or SIGINT stops them all gracefully. It opens no
 * database connection itself. Returns the exit code.
 */
export async function runPrimary(o: PrimaryOptions): Promise<number> {
  const slots: Slot[] = Array.from({ length: o.processes }, (_, i) => ({ index: i + 1, child: null, ready: false, startedAt: 0, crashes: 0 }));
  let stopping = false;
  let everyoneReady = false;
  let failed = null as string | null;
  let url = '';
  const timers = new Set<NodeJS.Timeout>();
  let settle: () => void = () => {};
  const done = new Promise<void>((resolve) => (settle = resolve));

  const fork = (slot: Slot) => {
    const child = cluster.fork({ [PROCESS_INDEX_ENV]: String(slot.index), PATRON_WORKER: slot.index === 1 && o.worker ? 'on' : 'off' });
    slot.child = child;
    slot.ready = false;
    slot.startedAt = Date.now();
    const pid = child.process.pid;
    o.logger.info({ serverProcess: slot.index, serverPid: pid, jobs: slot.index === 1 && o.worker }, `server process ${slot.index} started`);
    child.on('message', (msg: ChildMessage) => {
      if (msg?.type !== 'patron:ready') return;
      slot.ready = true;
      url = msg.url;
      if (!everyoneReady && slots.every((s) => s.ready)) {
        everyoneReady = true;
        o.say(`${o.describe(url)} with ${o.processes} processes (pids ${slots.map((s) => s.child?.process.pid).join(', ')})`);
        o.say(`API docs: ${url}/api/docs`);
      } else if (everyoneReady) {
        o.logger.info({ serverProcess: slot.index, serverPid: pid }, `server process ${slot.index} ready again`);
      }
    });
    child.on('exit', (code, signal) => {
      if (slot.child !== child) return;
      slot.child = null;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (stopping) {
        if (slots.every((s) => s.child === null)) settle();
        return;
      }
      if (!everyoneReady && !slot.ready) {
        // Failing before it ever served (database unreachable, port taken): restarting would only repeat it.
        failed = `server process ${slot.index} (pid ${pid}) exited with ${how} before it was ready; see the lines above`;
        void stopAll();
        return;
      }
      slot.crashes = Date.now() - slot.startedAt < QUICK_CRASH_MS ? slot.crashes + 1 : 0;
      const delay = Math.min(30_000, 1000 * 2 ** Math.max(0, slot.crashes - 1));
      o.logger.error({ serverProcess: slot.index, serverPid: pid, code, signal, restartInMs: delay }, `server process ${slot.index} exited with ${how}; restarting it`);
      const t = setTimeout(() => {
        timers.delete(t);
        if (!stopping) fork(slot);
      }, delay);
      timers.add(t);
    });
  };

  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    const alive = slots.filter((s) => s.child !== null);
    if (alive.length === 0) return settle();
    for (const s of alive) s.child!.process.kill('SIGTERM');
    const kill = setTimeout(() => {
      for (const s of slots) {
        if (s.child) {
          o.logger.warn({ serverProcess: s.index, serverPid: s.child.process.pid }, 'server process did not stop in time; killing it');
          s.child.process.kill('SIGKILL');
        }
      }
    }, o.stopTimeoutMs ?? 30_000);
    kill.unref();
  };

  const onSignal = () => {
    if (stopping) return;
    o.say('Shutting down...');
    void stopAll();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  for (const slot of slots) fork(slot);
  await done;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (failed) {
    process.stderr.write(`patron serve: ${failed}\n`);
    return 1;
  }
  return 0;
}
