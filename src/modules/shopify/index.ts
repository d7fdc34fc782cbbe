import { definePatronModule, optionText } from '../module.js';
import { getOrganizationBySlug } from '../orgs/index.js';
import { connectStore } from './shopify.connection.js';
import { prepareInstall } from './shopify.install.js';
import { processWebhookJob } from './shopify.process.js';
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
  },
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
