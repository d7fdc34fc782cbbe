import type { AppContext } from '../../context.js';

const DAY_MS = 24 * 3600 * 1000;

/** Stored Idempotency-Key replies live 7 days; finished jobs 30 days. */
export async function pruneOrganization(ctx: AppContext, orgId: string): Promise<{ idempotencyKeysDeleted: number; jobsDeleted: number }> {
  const cutoff = new Date(ctx.clock.now().getTime() - 7 * DAY_MS);
  const keys = await ctx.db.deleteFrom('idempotency_keys').where('org_id', '=', orgId).where('created_at', '<', cutoff).executeTakeFirst();
  const jobs = await ctx.db
    .deleteFrom('jobs')
    .where('org_id', '=', orgId)
    .where('status', '=', 'done')
    .where('updated_at', '<', new Date(cutoff.getTime() - 23 * DAY_MS))
    .executeTakeFirst();
  return { idempotencyKeysDeleted: Number(keys.numDeletedRows), jobsDeleted: Number(jobs.numDeletedRows) };
}
