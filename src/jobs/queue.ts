import { newId } from '../db/ids.js';
import type { Executor } from '../db/tx.js';

export interface EnqueueInput {
  orgId: string;
  type: string;
  payload?: Record<string, unknown>;
  /** When the job becomes due: pass the injected clock's now() for "immediately". */
  runAt: Date;
  /** At most one job per organization with this key, ever (used for periodic runs and one-shot effects). */
  dedupeKey?: string;
  maxAttempts?: number;
}

/** Writes a job in the caller's transaction, so it exists exactly when the change that caused it does. */
export async function enqueue(db: Executor, job: EnqueueInput): Promise<string | null> {
  const id = newId();
  const row = await db
    .insertInto('jobs')
    .values({
      org_id: job.orgId,
      id,
      type: job.type,
      payload: JSON.stringify(job.payload ?? {}),
      run_at: job.runAt,
      created_at: job.runAt,
      updated_at: job.runAt,
      ...(job.maxAttempts ? { max_attempts: job.maxAttempts } : {}),
      dedupe_key: job.dedupeKey ?? null,
      locked_at: null,
      locked_by: null,
      last_error: null,
      progress: null,
      result: null,
    })
    .onConflict((oc) => oc.columns(['org_id', 'dedupe_key']).where('dedupe_key', 'is not', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function getJob(db: Executor, orgId: string, id: string) {
  return db.selectFrom('jobs').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function setJobProgress(db: Executor, orgId: string, id: string, progress: Record<string, unknown>): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ progress: JSON.stringify(progress) })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

/** How many jobs are in each status (the metrics gauge). */
export function jobCountsByStatus(db: Executor) {
  return db
    .selectFrom('jobs')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
}
