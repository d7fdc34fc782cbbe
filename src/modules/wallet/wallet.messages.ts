import { CAMPAIGN_ENROLL_JOB, CAMPAIGN_SEND_JOB, CAMPAIGNS_DUE_JOB, runDueJob, runEnrollJob, runSendJob } from './wallet.messages.campaigns.js';
import { walletMessagesRoutes } from './wallet.messages.routes.js';
import { PUSH_JOB, runPushJob } from './wallet.messages.service.js';
import type { WalletPart } from './wallet.parts.js';

/** Wallet part: pushes, campaigns and loyalty card e-mails. */
export const messagesPart: WalletPart = {
  routes: walletMessagesRoutes,
  jobs: {
    [PUSH_JOB]: (ctx, job) => runPushJob(ctx, job.orgId, job.payload),
    [CAMPAIGN_ENROLL_JOB]: (ctx, job) => runEnrollJob(ctx, job.orgId, job.payload),
    [CAMPAIGN_SEND_JOB]: (ctx, job) => runSendJob(ctx, job.orgId, job.payload),
    [CAMPAIGNS_DUE_JOB]: (ctx, job) => runDueJob(ctx, job.orgId),
  },
  schedules: [{ jobType: CAMPAIGNS_DUE_JOB, everyMs: 60_000 }],
};
