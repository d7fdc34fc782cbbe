import { definePatronModule } from '../module.js';
import { importsRoutes } from './imports.routes.js';
import { IMPORT_JOB, runImportJob } from './imports.service.js';

/** CSV imports of customers and points. */
export const importsModule = definePatronModule({
  name: 'imports',
  routes: importsRoutes,
  jobs: {
    // A CSV import: each row in its own transaction, progress, per-row errors.
    [IMPORT_JOB]: (ctx, job, helpers) => runImportJob(ctx, job, helpers),
  },
});
