import { definePatronModule, optionText } from '../module.js';
import { getOrganizationBySlug } from '../orgs/index.js';
import { runPointsMaintenance } from './points.jobs.js';
import { pointsRoutes } from './points.routes.js';
import { verifyLedger } from './points.verify.js';

/** The points ledger: balances, lots, adjustments, verification. */
export const pointsModule = definePatronModule({
  name: 'points',
  routes: pointsRoutes,
  jobs: {
    // Activates pending points, expires due lots and inactive balances, sends reminders.
    'points.maintenance': async (ctx, job) => ({ ...(await runPointsMaintenance(ctx, job.orgId)) }),
  },
  schedules: [{ jobType: 'points.maintenance', everyMs: 10 * 60 * 1000 }],
  commands: {
    verify: {
      options: { org: { type: 'string' } },
      whenHeld: 'forward',
      run: (config, v, io) =>
        io.withRuntime(config, async (rt) => {
          const slug = optionText(v.org);
          const orgId = slug ? (await getOrganizationBySlug(rt.ctx, slug)).id : null;
          const report = await verifyLedger(rt.ctx.db, orgId);
          for (const m of report.mismatches) io.out(`MISMATCH org=${m.orgId} customer=${m.customerId}: ${m.problem}`);
          io.out(`Checked ${report.customersChecked} customer(s): ${report.mismatches.length === 0 ? 'ledger consistent' : `${report.mismatches.length} mismatch(es)`}`);
          return report.mismatches.length === 0 ? 0 : 1;
        }),
    },
  },
});
