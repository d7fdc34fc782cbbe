import { definePatronModule } from '../module.js';
import { bulkRoutes } from './bulk.routes.js';
import { BULK_POINTS_JOB, runBulkPoints } from './bulk.service.js';

/** Actions on many customers at once. */
export const bulkModule = definePatronModule({
  name: 'bulk',
  routes: bulkRoutes,
  jobs: {
    // Points adjustment for a selection, filter or segment (per-customer transactions, outcome report).
    [BULK_POINTS_JOB]: (ctx, job, helpers) => runBulkPoints(ctx, job, helpers),
  },
});
