import { definePatronModule } from '../module.js';
import { customerEditRoutes } from './dates.routes.js';
import { runDateRewards } from './dates.service.js';
import { rulesReactions } from './rules.earn.js';
import { rulesRoutes } from './rules.routes.js';

/** Earning rules: actions, custom actions, birthdays and anniversaries. */
export const rulesModule = definePatronModule({
  name: 'rules',
  routes: async (app, ctx) => {
    await rulesRoutes(app, ctx);
    await customerEditRoutes(app, ctx);
  },
  reactions: rulesReactions,
  jobs: {
    // Birthday and anniversary rewards on the organization's local date (once per customer and year).
    'rules.dates': async (ctx, job) => ({ ...(await runDateRewards(ctx, job.orgId)) }),
  },
  // Hourly, so "today" follows each organization's timezone; a customer is rewarded once a year.
  schedules: [{ jobType: 'rules.dates', everyMs: 3600 * 1000 }],
});
