import { reaction } from '../../events/types.js';
import { definePatronModule, optionText } from '../module.js';
import { getOrganizationBySlug } from '../orgs/index.js';
import { BACKFILL_JOB, runBackfill, startBackfill } from './shopify.backfill.js';
import { connectStore } from './shopify.connection.js';
import { prepareInstall } from './shopify.install.js';
import { discountCodesConsumer } from './shopify.discounts.js';
import { processWebhookJob } from './shopify.process.js';
import { deleteShopifyCustomer } from './shopify.repo.js';
import { shopifyRoutes } from './shopify.routes.js';
import { SHOPIFY_WEBHOOK_JOB, shopifyWebhookVerifier } from './shopify.webhooks.js';

/** A connected Shopify store: signed webhooks in, customers, orders and refunds mapped to Patron. */
export const shopifyModule = definePatronModule({
  name: 'shopify',
  routes: shopifyRoutes,
  verifiers: { 'shopify-webhook': shopifyWebhookVerifier },
  jobs: {
    // One stored webhook delivery: customers, orders, refunds, redaction, uninstall (retried with backoff).
    [SHOPIFY_WEBHOOK_JOB]: (ctx, job) => processWebhookJob(ctx, job),
    // The store's customers and orders, page by page, resuming from the saved cursor when retried.
    [BACKFILL_JOB]: async (ctx, job, helpers) => {
      const id = typeof job.payload.backfillId === 'string' ? job.payload.backfillId : '';
      return { ...(await runBackfill(ctx, job.orgId, id, (v) => helpers.progress({ phase: v.phase, customers: v.customers, orders: v.orders, ordersCreated: v.ordersCreated }))) };
    },
  },
  // Issued coupons become discount codes in the store; revoked ones are deactivated there.
  consumers: [discountCodesConsumer],
  // An anonymized customer's Shopify card (state, consent, tags) goes with their personal data.
  reactions: [
    reaction('customer.anonymized', 'shopify.card-erased', async (tx, _ctx, e) => {
      await deleteShopifyCustomer(tx, e.orgId, e.payload.customerId);
    }),
  ],
  commands: {
    'shopify install': {
      options: { org: { type: 'string' }, shop: { type: 'string' }, 'client-id': { type: 'string' }, 'client-secret': { type: 'string' }, 'api-url': { type: 'string' } },
      required: ['org', 'shop', 'client-id', 'client-secret'],
      whenHeld: 'forward',
      run: (config, v, io) =>
        io.withRuntime(config, async (rt) => {
          const org = await getOrganizationBySlug(rt.ctx, optionText(v.org)!);
          const r = await prepareInstall(rt.ctx, org.id, {
            shop: optionText(v.shop)!,
            clientId: optionText(v['client-id'])!,
            clientSecret: optionText(v['client-secret'])!,
            apiUrl: optionText(v['api-url']),
          });
          io.out('Open this address as the store owner to install the app and connect the store:');
          io.out(r.installUrl);
          return 0;
        }),
    },
    'shopify backfill': {
      options: { org: { type: 'string' }, since: { type: 'string' }, 'award-points': { type: 'boolean' } },
      required: ['org'],
      whenHeld: 'forward',
      run: (config, v, io) =>
        io.withRuntime(config, async (rt) => {
          const org = await getOrganizationBySlug(rt.ctx, optionText(v.org)!);
          const actor = { type: 'system' as const, id: null, name: 'patron shopify backfill' };
          const started = await startBackfill(rt.ctx, org.id, { since: optionText(v.since), awardPoints: v['award-points'] === true }, actor, { enqueue: false });
          io.out(`Backfilling ${org.slug} from the store${started.since ? ` (since ${started.since.slice(0, 10)})` : ''}; historical orders ${started.awardPoints ? 'earn points' : 'earn no points'}`);
          const done = await runBackfill(rt.ctx, org.id, started.id, async (p) => {
            io.out(`${p.phase === 'done' ? 'Done' : `Reading ${p.phase}`}: ${p.customers} customers, ${p.orders} orders (${p.ordersCreated} new)`);
          });
          io.out(`Backfill ${done.status}: ${done.customers} customers, ${done.orders} orders, ${done.ordersCreated} new orders, ${done.pointsAwarded} points awarded`);
          if (done.status !== 'done') io.err(`${done.error ?? 'The backfill did not finish'}\n`);
          return done.status === 'done' ? 0 : 1;
        }),
    },
    'shopify connect': {
      options: {
        org: { type: 'string' },
        shop: { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        'access-token': { type: 'string' },
        'api-url': { type: 'string' },
        'webhook-url': { type: 'string' },
      },
      required: ['org', 'shop', 'client-id', 'client-secret', 'access-token'],
      whenHeld: 'forward',
      run: (config, v, io) =>
        io.withRuntime(config, async (rt) => {
          const org = await getOrganizationBySlug(rt.ctx, optionText(v.org)!);
          const r = await connectStore(rt.ctx, org.id, {
            shop: optionText(v.shop)!,
            clientId: optionText(v['client-id'])!,
            clientSecret: optionText(v['client-secret'])!,
            accessToken: optionText(v['access-token'])!,
            apiUrl: optionText(v['api-url']),
            publicUrl: optionText(v['webhook-url']),
          });
          const c = r.connection;
          io.out(`Connected ${c.shop} to ${org.slug}: scopes ${c.scopes.join(', ') || 'none'}; ${c.customerAccounts ?? 'unknown'} customer accounts`);
          if (!r.webhookUrl) {
            io.out('No webhook subscriptions registered: set PATRON_PUBLIC_URL or pass --webhook-url, then connect again (or declare them in the app configuration)');
            return 0;
          }
          const failed = c.subscriptions.filter((s) => s.error !== null);
          io.out(`Webhooks go to ${r.webhookUrl}: ${c.subscriptions.length - failed.length} of ${c.subscriptions.length} subscriptions registered`);
          for (const s of failed) io.err(`${s.topic}: ${s.error}\n`);
          return failed.length > 0 ? 1 : 0;
        }),
    },
  },
});
