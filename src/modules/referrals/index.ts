import { definePatronModule } from '../module.js';
import { referralsRoutes } from './referrals.routes.js';

/** Referral links, codes and rewards. */
export const referralsModule = definePatronModule({ name: 'referrals', routes: referralsRoutes });
