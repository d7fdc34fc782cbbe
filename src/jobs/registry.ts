import { runPointsMaintenance } from '../modules/points/points.jobs.js';
import { expireCoupons } from '../modules/rewards/rewards.jobs.js';
import { runMembershipBulkJob } from '../modules/membership/membership.service.js';
import { runDateRewards } from '../modules/rules/dates.service.js';
import { runTierAssessment } from '../modules/tiers/tiers.assess.service.js';
import { runBulkPoints, BULK_POINTS_JOB } from '../modules/bulk/bulk.service.js';
import { ANALYTICS_REFRESH_JOB, refreshAnalytics } from '../modules/analytics/analytics.service.js';
import { IMPORT_JOB, runImportJob } from '../modules/imports/imports.service.js';
import type { JobHandler } from './worker.js';
import type { Schedule } from './scheduler.js';

/** Job handlers by type; feature modules add theirs here (handlers stay thin and call services). */
export const JOB_HANDLERS: Record<string, JobHandler> = {
  // Points adjustment for a selection, filter or segment (per-customer transactions, outcome report).
  [BULK_POINTS_JOB]: (ctx, job, helpers) => runBulkPoints(ctx, job, helpers),
  // Analytics cards of large organizations (small ones are computed live).
  [ANALYTICS_REFRESH_JOB]: (ctx, job) => refreshAnalytics(ctx, job.orgId),
  // A CSV import: each row in its own transaction, progress, per-row errors.
  [IMPORT_JOB]: (ctx, job, helpers) => runImportJob(ctx, job, helpers),
  // Bulk membership change too large for one request (per-customer transactions, progress, refusals).
  'membership.bulk': (ctx, job, helpers) => runMembershipBulkJob(ctx, job, helpers),
  // Birthday and anniversary rewards on the organization's local date (once per customer and year).
  'rules.dates': async (ctx, job) => ({ ...(await runDateRewards(ctx, job.orgId)) }),
  // Tier downgrades at window end + grace days, progress refresh, late upgrades.
  'tiers.assess': async (ctx, job) => ({ ...(await runTierAssessment(ctx, job.orgId)) }),
  // Marks coupons whose validity ended as expired (idempotent).
  'coupons.expire': async (ctx, job) => ({ ...(await expireCoupons(ctx, job.orgId)) }),
  // Keeps the idempotency table small: replays are honoured for 7 days.
  // Activates pending points, expires due lots and inactive balances, sends reminders.
  'points.maintenance': async (ctx, job) => ({ ...(await runPointsMaintenance(ctx, job.orgId)) }),
  'system.prune': async (ctx, job) => {
    const cutoff = new Date(ctx.clock.now().getTime() - 7 * 24 * 3600 * 1000);
    const keys = await ctx.db.deleteFrom('idempotency_keys').where('org_id', '=', job.orgId).where('created_at', '<', cutoff).executeTakeFirst();
    const jobs = await ctx.db
      .deleteFrom('jobs')
      .where('org_id', '=', job.orgId)
      .where('status', '=', 'done')
      .where('updated_at', '<', new Date(cutoff.getTime() - 23 * 24 * 3600 * 1000))
      .executeTakeFirst();
    return { idempotencyKeysDeleted: Number(keys.numDeletedRows), jobsDeleted: Number(jobs.numDeletedRows) };
  },
};

/** Periodic jobs, enqueued per organization once per period. */
export const SCHEDULES: Schedule[] = [
  { jobType: ANALYTICS_REFRESH_JOB, everyMs: 15 * 60 * 1000 },
  { jobType: 'coupons.expire', everyMs: 15 * 60 * 1000 },
  { jobType: 'points.maintenance', everyMs: 10 * 60 * 1000 },
  { jobType: 'system.prune', everyMs: 24 * 3600 * 1000 },
  // Hourly, so "today" follows each organization's timezone; a customer is rewarded once a year.
  { jobType: 'rules.dates', everyMs: 3600 * 1000 },
  { jobType: 'tiers.assess', everyMs: 24 * 3600 * 1000 },
];
