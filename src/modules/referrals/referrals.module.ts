import { definePatronModule } from '../module.js';
import { referralsReactions } from './referrals.lifecycle.js';
import { referralsRoutes } from './referrals.routes.js';
import { referralsProfile } from './referrals.service.js';

/** Referral links, codes and rewards. */
export const referralsModule = definePatronModule({
  name: 'referrals',
  routes: referralsRoutes,
  reactions: referralsReactions,
  profileSections: referralsProfile,
});
