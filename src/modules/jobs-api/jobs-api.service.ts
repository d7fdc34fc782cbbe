import type { Executor } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { getJob } from '../../jobs/queue.js';
import type { JobView } from './jobs-api.schemas.js';

/** A background job of the caller's organization; another organization's job is a 404. */
export async function getJobView(db: Executor, orgId: string, id: string): Promise<JobView> {
  const job = await getJob(db, orgId, id);
  if (!job) throw AppError.notFound('Job', id);
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    attempts: job.attempts,
    progress: job.progress,
    result: job.result,
    lastError: job.last_error,
    createdAt: job.created_at.toISOString(),
    updatedAt: job.updated_at.toISOString(),
  };
}
