import { definePatronModule } from '../module.js';
import { rewardsReactions } from './rewards.coupons.js';
import { expireCoupons } from './rewards.jobs.js';
import { rewardsRoutes } from './rewards.routes.js';

/** The rewards catalog, redemptions and coupons. */
export const rewardsModule = definePatronModule({
  name: 'rewards',
  routes: rewardsRoutes,
  reactions: rewardsReactions,
  jobs: {
    // Marks coupons whose validity ended as expired (idempotent).
    'coupons.expire': async (ctx, job) => ({ ...(await expireCoupons(ctx, job.orgId)) }),
  },
  schedules: [{ jobType: 'coupons.expire', everyMs: 15 * 60 * 1000 }],
});
