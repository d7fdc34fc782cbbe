import { definePatronModule, optionText } from '../module.js';
import { getOrganizationBySlug } from '../orgs/index.js';
import { PROVIDERS, TOOLS } from './marketing.providers.js';
import { marketingRoutes } from './marketing.routes.js';
import { connectTool, marketingProfile } from './marketing.service.js';
import { FIRST_SYNC_JOB, marketingConsumers, runFirstSyncJob, runSweepJob, runSyncJob, SWEEP_JOB, SYNC_JOB } from './marketing.sync.js';
import type { MarketingTool } from './marketing.tables.js';

/** Marketing tools (Klaviyo, Omnisend): each customer's profile and loyalty events kept current in them. */
export const marketingModule = definePatronModule({
  name: 'marketing',
  routes: marketingRoutes,
  consumers: marketingConsumers,
  profileSections: marketingProfile,
  jobs: {
    // Syncs the due customers of one tool (coalesced changes, retries, Retry-After).
    [SYNC_JOB]: (ctx, job) => runSyncJob(ctx, job),
    // The first sync after connecting: bulk imports where the tool has one (a follow-up job per look at a running import), with progress.
    [FIRST_SYNC_JOB]: (ctx, job, helpers) => runFirstSyncJob(ctx, job, helpers),
    // Profile edits since the last sync, and due rows without a job.
    [SWEEP_JOB]: (ctx, job) => runSweepJob(ctx, job),
  },
  schedules: [{ jobType: SWEEP_JOB, everyMs: 60_000 }],
  commands: {
    'marketing connect': {
      options: { org: { type: 'string' }, tool: { type: 'string' }, 'api-key': { type: 'string' }, 'base-url': { type: 'string' }, disabled: { type: 'boolean' } },
      required: ['org', 'tool'],
      whenHeld: 'forward',
      run: (config, v, io) =>
        io.withRuntime(config, async (rt) => {
          const tool = optionText(v.tool)!;
          if (!(TOOLS as string[]).includes(tool)) {
            io.err(`--tool must be one of ${TOOLS.join(', ')}\n`);
            return 2;
          }
          const org = await getOrganizationBySlug(rt.ctx, optionText(v.org)!);
          const view = await connectTool(
            rt.ctx,
            org.id,
            tool as MarketingTool,
            { apiKey: optionText(v['api-key']), baseUrl: optionText(v['base-url']), ...(v.disabled === true ? { enabled: false } : {}) },
            { operator: true, names: { apiKey: '--api-key', baseUrl: '--base-url' } },
          );
          const label = PROVIDERS.find((p) => p.tool === tool)!.label;
          io.out(`${label} ${view.status} for ${org.slug} at ${view.baseUrl ?? ''} (key ${view.keyHint ?? ''})`);
          return 0;
        }),
    },
  },
});
