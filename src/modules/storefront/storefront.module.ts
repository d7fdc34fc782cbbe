import { definePatronModule } from '../module.js';
import { storefrontVerifier } from './storefront.identity.js';
import * as repo from './storefront.repo.js';
import { storefrontRoutes } from './storefront.routes.js';

/** The customer's side: the storefront API, customer tokens, and the embeddable widget. */
export const storefrontModule = definePatronModule({
  name: 'storefront',
  routes: storefrontRoutes,
  verifiers: { storefront: storefrontVerifier },
  jobs: {
    // Rate-limit windows older than an hour are no longer needed.
    'storefront.prune': async (ctx, job) => ({ deleted: await repo.deleteOldWindows(ctx.db, job.orgId, new Date(ctx.clock.now().getTime() - 3600_000)) }),
  },
  schedules: [{ jobType: 'storefront.prune', everyMs: 3600 * 1000 }],
});
