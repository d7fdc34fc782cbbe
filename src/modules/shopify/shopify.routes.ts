import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { encodeCursor, isTimeCursor, readCursor } from '../../http/cursor.js';
import { errorResponses, errorSchema, idParam, listQuery, page } from '../../http/schemas.js';
import { authOf, callerOf, rawBodyOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { couponSchema } from '../rewards/index.js';
import { getBackfill, startBackfill } from './shopify.backfill.js';
import { disconnectStore, WEBHOOK_PATH } from './shopify.connection.js';
import { getShopifyCard } from './shopify.customers.js';
import { retryCouponSync } from './shopify.discounts.js';
import { dataRequestFile, getSettings, listDataRequests } from './shopify.settings.js';
import { authorizeUrl, CALLBACK_PATH, completeInstall, INSTALL_PATH } from './shopify.install.js';
import { listWebhooks, retryWebhook, storeWebhook } from './shopify.webhooks.js';

const tags = ['integrations'];

const subscriptionSchema = z.object({ topic: z.string(), id: z.string().nullable(), error: z.string().nullable() });

const connectionSchema = z
  .object({
    status: z.enum(['not_connected', 'installing', 'connected', 'uninstalled', 'disconnected']),
    shop: z.string().nullable().describe('The store\'s permanent domain, name.myshopify.com'),
    scopes: z.array(z.string()).describe('Access scopes granted to the app'),
    customerAccounts: z.enum(['classic', 'new']).nullable().describe('The store\'s customer accounts version, read on connect'),
    apiVersion: z.string().nullable(),
    subscriptions: z.array(subscriptionSchema).describe('Webhook subscriptions registered on connect, with any error'),
    statusReason: z.string().nullable(),
    lastWebhookAt: z.string().nullable(),
    connectedAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'ShopifyConnection' });

const webhookSchema = z
  .object({
    id: z.string(),
    webhookId: z.string(),
    eventId: z.string().nullable(),
    topic: z.string(),
    shop: z.string(),
    status: z.enum(['received', 'processed', 'failed']),
    attempts: z.number().int(),
    error: z.string().nullable(),
    result: z.record(z.string(), z.unknown()).nullable().describe('What processing did (ids exact, as strings)'),
    triggeredAt: z.string().nullable(),
    receivedAt: z.string(),
    processedAt: z.string().nullable(),
  })
  .meta({ id: 'ShopifyWebhook' });

const backfillSchema = z
  .object({
    id: z.string(),
    jobId: z.string().nullable().describe('The background job running it (GET /api/v1/jobs/{id}); null when run from the command line'),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    since: z.string().nullable(),
    awardPoints: z.boolean().describe('Historical orders earn points (otherwise they are recorded without points)'),
    customers: z.number().int().describe('Customers read so far'),
    orders: z.number().int().describe('Orders read so far'),
    ordersCreated: z.number().int().describe('Orders Patron did not have before'),
    pointsAwarded: z.number().int(),
    phase: z.enum(['customers', 'orders', 'done']),
    error: z.string().nullable(),
    startedBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'ShopifyBackfill' });

const settingsSchema = connectionSchema
  .extend({
    deliveries: z.object({ received: z.number().int(), processed: z.number().int(), failed: z.number().int() }).describe('Stored webhook deliveries by state'),
    backfill: backfillSchema.nullable().describe('The latest backfill'),
  })
  .meta({ id: 'ShopifySettings' });

const cardSchema = z
  .object({
    linked: z.boolean().describe('The store has synced this customer'),
    shop: z.string().nullable(),
    connectionStatus: z.enum(['not_connected', 'installing', 'connected', 'uninstalled', 'disconnected']),
    shopifyId: z.string().nullable().describe('The Shopify customer id, exact (a decimal string)'),
    adminUrl: z.string().nullable().describe("The customer in the store's admin"),
    accountState: z.string().nullable().describe('enabled, disabled, invited or declined, as Shopify says'),
    customerAccounts: z.enum(['classic', 'new']).nullable().describe("The store's customer accounts version when synced (with new accounts, enabled means the customer has signed in)"),
    emailVerified: z.boolean().nullable(),
    marketing: z
      .object({ email: z.string().nullable(), emailOptInLevel: z.string().nullable(), emailUpdatedAt: z.string().nullable(), sms: z.string().nullable() })
      .nullable()
      .describe('Marketing consent as the store holds it'),
    tags: z.array(z.string()),
    lastSyncedAt: z.string().nullable(),
    lastWebhook: z.object({ id: z.string(), topic: z.string(), at: z.string() }).nullable().describe('The last delivery that changed this customer'),
  })
  .meta({ id: 'ShopifyCustomerCard' });

const dataRequestSchema = z.object({
  id: z.string(),
  requestId: z.string().nullable().describe("Shopify's data_request id"),
  shopifyCustomerId: z.string().nullable(),
  customerId: z.string().nullable(),
  status: z.enum(['pending', 'ready', 'no_customer']),
  error: z.string().nullable(),
  fileName: z.string().nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});

/** The endpoint Shopify delivers to: authenticated by the HMAC of its raw body (the `shopify-webhook` verifier). */
async function webhookRoute(app: ZodApp, ctx: AppContext): Promise<void> {
  // The verifier has the exact bytes; keep the body unparsed here too (this plugin only):
  // it is parsed losslessly when processed, never with JSON.parse.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post(
    WEBHOOK_PATH,
    {
      config: { auth: { verifier: 'shopify-webhook' } },
      schema: {
        tags,
        summary: "Receive a Shopify webhook (signed with the app's client secret)",
        description:
          'Shopify calls this with `X-Shopify-Shop-Domain`, `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the raw body with the client secret), `X-Shopify-Topic`, `X-Shopify-Webhook-Id` and `X-Shopify-Event-Id`. ' +
          'The signature is checked before the body is read; a missing or wrong one is 401 and nothing is stored. A valid delivery is stored once (a repeat is the same row) and processed in the background.',
        response: { 200: z.object({ received: z.literal(true), duplicate: z.boolean() }), ...errorResponses },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const stored = await storeWebhook(ctx, { org_id: caller.orgId, shop_domain: caller.claims.shop! }, request.headers, rawBodyOf(request));
      return { received: true as const, duplicate: stored.duplicate };
    },
  );
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The authorization-code install of the merchant's own app (prepared with `patron shopify install`). */
async function installRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  app.get(
    INSTALL_PATH,
    {
      config: { public: true },
      schema: {
        tags,
        summary: "Start installing the store's app: redirects to the store's authorization page",
        description: 'The install must have been prepared with `patron shopify install`. The redirect carries a single-use `state` valid for 10 minutes.',
        querystring: z.object({ shop: z.string().max(255).describe('name.myshopify.com') }).loose(),
        response: { 302: z.null().describe("Redirect to the store's authorization page (Location header)"), ...errorResponses, 404: errorSchema, 422: errorSchema },
      },
    },
    async (request, reply) => reply.redirect(await authorizeUrl(ctx, request.query.shop), 302),
  );
  app.get(
    CALLBACK_PATH,
    {
      config: { public: true },
      schema: {
        tags,
        summary: "Shopify's return after the merchant approved the install",
        description: 'Checks the query `hmac` (with the client secret) and the single-use `state` before anything else, exchanges the code for an access token and connects the store. 401 when either check fails.',
        querystring: z
          .object({
            code: z.string().max(2000).optional(),
            hmac: z.string().max(200).optional(),
            shop: z.string().max(255).optional(),
            state: z.string().max(200).optional(),
            timestamp: z.string().max(20).optional(),
            host: z.string().max(2000).optional(),
          })
          .catchall(z.string().max(2000))
          .describe('Every parameter Shopify sends is covered by its hmac'),
        response: { 200: z.string().describe('A page saying the store is connected'), ...errorResponses, 422: errorSchema },
      },
    },
    async (request, reply) => {
      const { shop } = await completeInstall(ctx, request.query);
      return reply
        .type('text/html; charset=utf-8')
        .send(`<!doctype html><title>Patron</title><p>${escapeHtml(shop)} is connected to Patron. You can close this page.</p>`);
    },
  );
}

export async function shopifyRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  await app.register(async (inner) => webhookRoute(inner as ZodApp, ctx));
  await installRoutes(app, ctx);

  app.get(
    '/api/v1/integrations/shopify',
    {
      config: { permission: 'settings:manage' },
      schema: {
        tags,
        summary: 'The connected Shopify store: state, shop, scopes, subscriptions, last webhook, deliveries, latest backfill (never secrets)',
        response: { 200: settingsSchema, ...errorResponses },
      },
    },
    async (request) => getSettings(ctx, authOf(request).orgId),
  );
  app.post(
    '/api/v1/integrations/shopify/backfills',
    {
      config: { permission: 'settings:manage' },
      schema: {
        tags,
        summary: "Import the store's existing customers and orders (a background job with progress)",
        description:
          'Reads customers, then orders, page by page through the Admin GraphQL API and applies them as webhooks are: running it again changes nothing already imported. ' +
          'Historical orders earn points only with `awardPoints: true`. 409 while another backfill runs; 422 when no store is connected.',
        body: z
          .object({
            since: z.string().max(40).optional().describe('Only customers updated and orders created on or after this date (YYYY-MM-DD or a date and time)'),
            awardPoints: z.boolean().optional().describe('Historical orders earn points as the program says (default false: recorded without points)'),
          })
          .optional(),
        response: { 202: backfillSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const view = await startBackfill(ctx, auth.orgId, request.body ?? {}, auth.actor, { enqueue: true });
      return reply.status(202).send(view);
    },
  );
  app.get(
    '/api/v1/integrations/shopify/backfills/:id',
    {
      config: { permission: 'settings:manage' },
      schema: { tags, summary: 'A backfill and its progress', params: idParam, response: { 200: backfillSchema, ...errorResponses } },
    },
    async (request) => getBackfill(ctx, authOf(request).orgId, request.params.id),
  );
  app.get(
    '/api/v1/integrations/shopify/data-requests',
    {
      config: { permission: 'settings:manage' },
      schema: {
        tags,
        summary: "Customers' data requests the store forwarded (customers/data_request), newest first, with their export",
        response: { 200: z.object({ items: z.array(dataRequestSchema) }), ...errorResponses },
      },
    },
    async (request) => listDataRequests(ctx, authOf(request).orgId),
  );
  app.get(
    '/api/v1/integrations/shopify/data-requests/:id/export.json',
    {
      config: { permission: 'settings:manage' },
      schema: {
        tags,
        summary: 'Download the export prepared for a data request (to send to the store owner)',
        description: '409 while it is being prepared, or when Patron held no data for the customer.',
        params: idParam,
        response: { 200: z.string().describe('The customer export, JSON'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const file = await dataRequestFile(ctx, authOf(request).orgId, request.params.id);
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${file.fileName.replace(/[^\w.-]/g, '_')}"`)
        .header('cache-control', 'no-store')
        .send(file.body);
    },
  );
  app.get(
    '/api/v1/customers/:id/shopify',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags,
        summary: "The customer's Shopify card: link to the store's admin, account state, email verified, marketing consent, last sync and last webhook",
        params: idParam,
        response: { 200: cardSchema, ...errorResponses },
      },
    },
    async (request) => getShopifyCard(ctx, authOf(request).orgId, request.params.id),
  );
  app.post(
    '/api/v1/coupons/:id/store-sync',
    {
      config: { permission: 'rewards:issue' },
      schema: {
        tags,
        summary: "Retry creating (or deactivating) the coupon's discount code in the connected store",
        description: '409 when the code is live or deactivated already, or the coupon has no code in a store; 422 when the store is not connected.',
        params: idParam,
        response: { 200: couponSchema, ...errorResponses },
      },
    },
    async (request) => retryCouponSync(ctx, authOf(request).orgId, request.params.id),
  );
  app.delete(
    '/api/v1/integrations/shopify',
    {
      config: { permission: 'settings:manage' },
      schema: {
        tags,
        summary: 'Disconnect the Shopify store',
        description: 'Deletes the stored access token and client secret: Patron stops calling the store and refuses its webhooks until it is connected again. 404 when no store is connected.',
        response: { 200: connectionSchema, ...errorResponses, 404: errorSchema },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return disconnectStore(ctx, auth.orgId, auth.actor);
    },
  );
  app.get(
    '/api/v1/integrations/shopify/webhooks',
    {
      config: { permission: 'settings:manage' },
      schema: {
        tags,
        summary: 'Webhooks received from the store, newest first',
        querystring: listQuery.extend({ status: z.enum(['received', 'processed', 'failed']).optional() }),
        response: { 200: page(webhookSchema), ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const scope = { list: 'shopify-webhooks', orgId: auth.orgId };
      const c = readCursor(ctx, scope, request.query.cursor, isTimeCursor);
      const r = await listWebhooks(ctx, auth.orgId, { status: request.query.status, limit: request.query.limit, before: c ? { receivedAt: new Date(c.t), id: c.id } : null });
      return { items: r.items, nextCursor: r.next ? encodeCursor(ctx, scope, { t: r.next.receivedAt, id: r.next.id }) : null };
    },
  );
  app.post(
    '/api/v1/integrations/shopify/webhooks/:id/retry',
    {
      config: { permission: 'settings:manage' },
      schema: {
        tags,
        summary: 'Process a webhook that failed again, from its stored body',
        description: '409 when it was already processed.',
        params: idParam,
        response: { 200: webhookSchema, ...errorResponses },
      },
    },
    async (request) => retryWebhook(ctx, authOf(request).orgId, request.params.id),
  );
}
