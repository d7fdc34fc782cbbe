import { definePatronModule } from '../module.js';
import { runTierAssessment } from './tiers.assess.service.js';
import { tiersEarnMultiplier, tiersProfile, tiersReactions } from './tiers.reactions.js';
import { tiersRoutes } from './tiers.routes.js';

/** VIP tiers: qualification, upgrades, downgrades, progress. */
export const tiersModule = definePatronModule({
  name: 'tiers',
  routes: tiersRoutes,
  reactions: tiersReactions,
  earnMultiplier: tiersEarnMultiplier,
  profileSections: tiersProfile,
  jobs: {
    // Tier downgrades at window end + grace days, progress refresh, late upgrades.
    'tiers.assess': async (ctx, job) => ({ ...(await runTierAssessment(ctx, job.orgId)) }),
  },
  schedules: [{ jobType: 'tiers.assess', everyMs: 24 * 3600 * 1000 }],
});
