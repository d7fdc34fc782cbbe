import { definePatronModule } from '../module.js';
import { membershipRoutes } from './membership.routes.js';
import { membershipReactions, runMembershipBulkJob } from './membership.service.js';

/** Member, guest, left: the program membership of a customer. */
export const membershipModule = definePatronModule({
  name: 'membership',
  routes: membershipRoutes,
  reactions: membershipReactions,
  jobs: {
    // Bulk membership change too large for one request (per-customer transactions, progress, refusals).
    'membership.bulk': (ctx, job, helpers) => runMembershipBulkJob(ctx, job, helpers),
  },
});
