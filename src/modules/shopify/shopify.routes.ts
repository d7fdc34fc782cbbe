import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { encodeCursor, isTimeCursor, readCursor } from '../../http/cursor.js';
import { errorResponses, errorSchema, idParam, listQuery, page } from '../../http/schemas.js';
import { authOf, callerOf, rawBodyOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { disconnectStore, getConnection, WEBHOOK_PATH } from './shopify.connection.js';
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
      schema: { tags, summary: 'The connected Shopify store: state, shop, scopes, subscriptions, last webhook (never secrets)', response: { 200: connectionSchema, ...errorResponses } },
    },
    async (request) => getConnection(ctx, authOf(request).orgId),
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
