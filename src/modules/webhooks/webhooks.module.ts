import { definePatronModule } from '../module.js';
import { SEND_JOB, sendDue, webhooksConsumer } from './webhooks.delivery.js';
import { webhooksRoutes } from './webhooks.routes.js';

/**
 * Outbound webhooks (Standard Webhooks): endpoints, the fan-out of every committed event
 * to them (the `webhooks` outbox consumer), signed delivery with retries, and the delivery
 * log. docs/integrations.md describes them for receivers.
 */
export const webhooksModule = definePatronModule({
  name: 'webhooks',
  routes: webhooksRoutes,
  consumers: [webhooksConsumer],
  jobs: {
    [SEND_JOB]: async (ctx, job) => ({ attempts: await sendDue(ctx, { orgId: job.orgId }) }),
  },
  // Retries are woken by their own job; the sweep resumes what a stopped process left leased.
  schedules: [{ jobType: SEND_JOB, everyMs: 10 * 60 * 1000 }],
});
