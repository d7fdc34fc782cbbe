import { definePatronModule } from '../module.js';
import { analyticsRoutes } from './analytics.routes.js';
import { ANALYTICS_REFRESH_JOB, refreshAnalytics } from './analytics.service.js';

/** Dashboard cards. */
export const analyticsModule = definePatronModule({
  name: 'analytics',
  routes: analyticsRoutes,
  jobs: {
    // Analytics cards of large organizations (small ones are computed live).
    [ANALYTICS_REFRESH_JOB]: (ctx, job) => refreshAnalytics(ctx, job.orgId),
  },
  schedules: [{ jobType: ANALYTICS_REFRESH_JOB, everyMs: 15 * 60 * 1000 }],
});
