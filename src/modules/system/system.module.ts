import { definePatronModule } from '../module.js';
import { pruneOrganization } from './system.repo.js';

/** Housekeeping every organization needs, whatever features it uses. */
export const systemModule = definePatronModule({
  name: 'system',
  jobs: {
    // Keeps the idempotency and jobs tables small: replays are honoured for 7 days.
    'system.prune': (ctx, job) => pruneOrganization(ctx, job.orgId),
  },
  schedules: [{ jobType: 'system.prune', everyMs: 24 * 3600 * 1000 }],
});
