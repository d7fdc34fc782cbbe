import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { newId } from '../db/ids.js';
import type { Metrics } from '../http/metrics.js';

export interface JobRecord {
  orgId: string;
  id: string;
  type: string;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
}

export interface JobHelpers {
  progress(p: Record<string, unknown>): Promise<void>;
}

export type JobHandler = (ctx: AppContext, job: JobRecord, helpers: JobHelpers) => Promise<Record<string, unknown> | void>;

/** Backoff before attempt n+1: 2^n seconds with jitter, capped at one hour. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(3600, 2 ** attempts) * 1000;
  return Math.round(base * (0.75 + random() * 0.5));
}

/** A running job whose lock is older than this is taken for abandoned (its worker stopped) and queued again. */
export const STALE_LOCK_MS = 10 * 60 * 1000;
/** How often a worker renews the lock of a job it is still running, so a long job is never taken for abandoned. */
const HEARTBEAT_MS = 60 * 1000;

export interface WorkerOptions {
  handlers: Record<string, JobHandler>;
  metrics?: Metrics;
  batchSize?: number;
  pollMs?: number;
  /** Called once per loop before claiming (the scheduler hooks in here). */
  beforeTick?: () => Promise<void>;
  /** How often the lock of a running job is renewed (default one minute, well under the stale-lock age). */
  heartbeatMs?: number;
}

/**
 * Claims due jobs with `FOR UPDATE SKIP LOCKED` (so two workers never take the same
 * job), runs their handler, then marks them done, schedules a retry with backoff, or
 * dead-letters them after `max_attempts`.
 */
export class Worker {
  readonly id = `worker-${newId().slice(-12)}`;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly opts: WorkerOptions,
  ) {}

  /** Claims up to batchSize due jobs and runs them; returns how many ran. */
  async runOnce(): Promise<number> {
    const now = this.ctx.clock.now();
    await this.requeueStale(now);
    const claimed = await sql<{
      org_id: string;
      id: string;
      type: string;
      payload: Record<string, unknown>;
      attempts: number;
      max_attempts: number;
    }>`
      update jobs set status = 'running', locked_at = ${now}, locked_by = ${this.id},
        attempts = attempts + 1, updated_at = ${now}
      where (org_id, id) in (
        select org_id, id from jobs
        where status = 'queued' and run_at <= ${now}
        order by run_at, id
        limit ${this.opts.batchSize ?? 10}
        for update skip locked)
      returning org_id, id, type, payload, attempts, max_attempts`.execute(this.ctx.db);
    for (const row of claimed.rows) {
      await this.runJob({
        orgId: row.org_id,
        id: row.id,
        type: row.type,
        payload: row.payload,
        attempts: row.attempts,
        maxAttempts: row.max_attempts,
      });
    }
    return claimed.rows.length;
  }

  /** Runs until no job is due (for tests and `patron worker --once`). */
  async drain(maxRounds = 1000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxRounds; i++) {
      if (this.opts.beforeTick) await this.opts.beforeTick();
      const n = await this.runOnce();
      total += n;
      if (n === 0) break;
    }
    return total;
  }

  private async requeueStale(now: Date): Promise<void> {
    await this.ctx.db
      .updateTable('jobs')
      .set({ status: 'queued', locked_at: null, locked_by: null, updated_at: now })
      .where('status', '=', 'running')
      .where('locked_at', '<', new Date(now.getTime() - STALE_LOCK_MS))
      .execute();
  }

  /** Renews `locked_at` while the job runs; a job running longer than the stale-lock age is still this worker's. */
  private heartbeat(job: JobRecord): () => void {
    const timer = setInterval(() => {
      this.ctx.db
        .updateTable('jobs')
        .set({ locked_at: this.ctx.clock.now() })
        .where('org_id', '=', job.orgId)
        .where('id', '=', job.id)
        .where('status', '=', 'running')
        .where('locked_by', '=', this.id)
        .execute()
        .catch((err: unknown) => this.ctx.logger.warn({ err, jobId: job.id }, 'could not renew a running job\'s lock'));
    }, this.opts.heartbeatMs ?? HEARTBEAT_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async runJob(job: JobRecord): Promise<void> {
    const handler = this.opts.handlers[job.type];
    const db = this.ctx.db;
    const stopHeartbeat = this.heartbeat(job);
    try {
      if (!handler) throw new Error(`No handler for job type "${job.type}"`);
      const result = await handler(this.ctx, job, {
        progress: async (p) => {
          await db.updateTable('jobs').set({ progress: JSON.stringify(p) }).where('org_id', '=', job.orgId).where('id', '=', job.id).execute();
        },
      });
      await db
        .updateTable('jobs')
        .set({ status: 'done', result: result ? JSON.stringify(result) : null, locked_at: null, locked_by: null, updated_at: this.ctx.clock.now() })
        .where('org_id', '=', job.orgId)
        .where('id', '=', job.id)
        .execute();
      this.opts.metrics?.jobsProcessed.inc({ type: job.type, outcome: 'done' });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const dead = job.attempts >= job.maxAttempts;
      const now = this.ctx.clock.now();
      await db
        .updateTable('jobs')
        .set({
          status: dead ? 'dead' : 'queued',
          last_error: message.slice(0, 2000),
          locked_at: null,
          locked_by: null,
          run_at: new Date(now.getTime() + (dead ? 0 : backoffMs(job.attempts))),
          updated_at: now,
        })
        .where('org_id', '=', job.orgId)
        .where('id', '=', job.id)
        .execute();
      this.opts.metrics?.jobsProcessed.inc({ type: job.type, outcome: dead ? 'dead' : 'retry' });
      this.ctx.logger.warn({ jobId: job.id, type: job.type, attempts: job.attempts, dead, err: message }, 'job failed');
    } finally {
      stopHeartbeat();
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const pollMs = this.opts.pollMs ?? 1000;
    this.loop = (async () => {
      while (this.running) {
        let ran = 0;
        try {
          if (this.opts.beforeTick) await this.opts.beforeTick();
          ran = await this.runOnce();
        } catch (err) {
          this.ctx.logger.error({ err }, 'worker loop error');
        }
        if (ran === 0 && this.running) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, pollMs);
            this.wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
          this.wake = null;
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }
}
