import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { errorResponses } from '../../http/schemas.js';
import { authOf, callerOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { PUBLISHABLE_KEY_HEADER, publishableKeyOf } from './storefront.identity.js';
import * as repo from './storefront.repo.js';
import {
  landingQuery,
  landingReply,
  meSchema,
  preferencesBody,
  preferencesReply,
  previewBodySchema,
  previewReplySchema,
  programSchema,
  redemptionBody,
  redemptionReply,
  secretReplySchema,
  shareBody,
  storefrontSettingsPatchSchema,
  storefrontSettingsSchema,
} from './storefront.schemas.js';
import { getMe, getProgramView, recordShare, redeem, referralLanding, updatePreferences } from './storefront.service.js';
import { getSettings, previewToken, rotateSecret, updateSettings } from './storefront.settings.js';
import { widgetBundle } from './storefront.widget.js';

export const STOREFRONT_PREFIX = '/api/storefront/v1';

const ALLOWED_HEADERS = ['authorization', 'content-type', 'idempotency-key', PUBLISHABLE_KEY_HEADER].join(', ');
const auth = { verifier: 'storefront' } as const;

const KEY_DOC =
  `Authenticated by the organization's publishable key (\`${PUBLISHABLE_KEY_HEADER}\` header or \`key\` query parameter) and, for a signed-in customer, ` +
  '`Authorization: Bearer <customer token>` (an HS256 JWT signed with the storefront secret) or a signed Shopify App Proxy query. ' +
  'A customer who left the program gets 403 `NOT_IN_PROGRAM`; past the rate limits, 429 `TOO_MANY_REQUESTS` (see docs/storefront.md).';

/** The origins allowed to call the storefront API from a page of the organization the key names. */
async function allowedOrigin(ctx: AppContext, request: FastifyRequest): Promise<string | null> {
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return null;
  const key = publishableKeyOf(request);
  if (!key || key.length > 100) return null;
  const settings = await repo.findSettingsByKey(ctx.db, key);
  return settings?.allowed_origins.includes(origin) ? origin : null;
}

export async function storefrontRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  // Storefront replies are read by pages of other sites: CORS only for the organization's
  // configured origins (no credentials: the customer token travels in a header), and the
  // widget script may be loaded cross-origin.
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    const path = request.url.split('?')[0] ?? '';
    if (path === '/widget.js') void reply.header('cross-origin-resource-policy', 'cross-origin');
    if (!path.startsWith(`${STOREFRONT_PREFIX}/`)) return payload;
    void reply.header('cross-origin-resource-policy', 'cross-origin');
    void reply.header('vary', 'Origin');
    const origin = await allowedOrigin(ctx, request);
    if (origin) {
      void reply.header('access-control-allow-origin', origin);
      void reply.header('access-control-expose-headers', 'idempotent-replayed');
    }
    return payload;
  });

  // Preflight: the browser sends no custom header here, so the page passes its key in the query.
  app.options(`${STOREFRONT_PREFIX}/*`, { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const origin = await allowedOrigin(ctx, request);
    if (origin) {
      void reply
        .header('access-control-allow-methods', 'GET, POST, PUT')
        .header('access-control-allow-headers', ALLOWED_HEADERS)
        .header('access-control-max-age', '600');
    }
    return reply.status(204).send();
  });

  app.get('/widget.js', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const body = await widgetBundle();
    return reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(body);
  });

  const tags = ['storefront'];
  app.get(
    `${STOREFRONT_PREFIX}/program`,
    { config: { auth }, schema: { tags, summary: 'The program as customers see it: how to earn, rewards, tiers, referral offer, theme', description: KEY_DOC, response: { 200: programSchema, ...errorResponses } } },
    async (request) => getProgramView(ctx, callerOf(request)),
  );
  app.get(
    `${STOREFRONT_PREFIX}/me`,
    {
      config: { auth },
      schema: {
        tags,
        summary: "The signed-in customer's loyalty status (members), or the program and what to do to redeem (guests and visitors)",
        description: `Members: balance with expiring and pending points, tier progress in words, rewards they can redeem, visible history (customer messages only), coupons, referral link and stats, notification preferences. ${KEY_DOC}`,
        response: { 200: meSchema, ...errorResponses },
      },
    },
    async (request) => getMe(ctx, callerOf(request)),
  );
  app.post(
    `${STOREFRONT_PREFIX}/redemptions`,
    {
      config: { auth },
      schema: {
        tags,
        summary: 'A member redeems a reward: deducts its points and answers the coupon code',
        description: `Members only (guests and visitors: 403 \`MEMBERS_ONLY\`). Same rules and codes as staff redemption. With \`Idempotency-Key\`, a repeat (a double click, a retry) answers the first redemption (200, \`Idempotent-Replayed: true\`) and issues no second coupon. ${KEY_DOC}`,
        body: redemptionBody,
        response: { 200: redemptionReply, 201: redemptionReply, ...errorResponses },
      },
    },
    async (request, reply) => {
      const raw = request.headers['idempotency-key'];
      const key = Array.isArray(raw) ? raw[0] : raw;
      const r = await redeem(ctx, callerOf(request), request.body, key);
      if ('replayed' in r && r.replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(r.status === 201 ? 201 : 200).send(r.reply);
    },
  );
  app.put(
    `${STOREFRONT_PREFIX}/preferences`,
    {
      config: { auth },
      schema: { tags, summary: "The customer changes their own notification preferences", description: `Signed-in members and guests. ${KEY_DOC}`, body: preferencesBody, response: { 200: preferencesReply, ...errorResponses } },
    },
    async (request) => updatePreferences(ctx, callerOf(request), request.body),
  );
  app.post(
    `${STOREFRONT_PREFIX}/referrals/share`,
    {
      config: { auth },
      schema: { tags, summary: 'Records that the member shared their referral link, and where', description: KEY_DOC, body: shareBody, response: { 204: z.null(), ...errorResponses } },
    },
    async (request, reply) => {
      await recordShare(ctx, callerOf(request), request.body.channel);
      return reply.status(204).send(null);
    },
  );
  app.get(
    `${STOREFRONT_PREFIX}/referrals/landing`,
    {
      config: { auth },
      schema: {
        tags,
        summary: 'The referral landing: who invited the visitor and their offer',
        description: `\`ref\` is the \`patron_ref\` value a referral link (GET /r/{code}) adds to the landing address. ${KEY_DOC}`,
        querystring: landingQuery,
        response: { 200: landingReply, ...errorResponses },
      },
    },
    async (request) => referralLanding(ctx, callerOf(request), request.query.ref),
  );

  // --- staff: the organization's storefront settings ------------------------------------
  const staffTags = ['storefront settings'];
  app.get(
    '/api/v1/storefront/settings',
    { config: { permission: 'settings:manage' }, schema: { tags: staffTags, summary: 'The publishable key, allowed origins, theme and rate limits (the key is made on first read)', response: { 200: storefrontSettingsSchema, ...errorResponses } } },
    async (request) => getSettings(ctx, authOf(request).orgId),
  );
  app.put(
    '/api/v1/storefront/settings',
    {
      config: { permission: 'settings:manage' },
      schema: { tags: staffTags, summary: 'Change the allowed origins, theme or rate limits (absent fields are kept)', body: storefrontSettingsPatchSchema, response: { 200: storefrontSettingsSchema, ...errorResponses } },
    },
    async (request) => updateSettings(ctx, authOf(request).orgId, request.body),
  );
  app.post(
    '/api/v1/storefront/secret',
    {
      config: { permission: 'settings:manage', secretReply: true },
      schema: {
        tags: staffTags,
        summary: 'Create or rotate the storefront signing secret; the reply is the only time it is shown',
        description: 'Customer tokens signed with the previous secret stop working at once.',
        response: { 201: secretReplySchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await rotateSecret(ctx, authOf(request).orgId)),
  );
  app.post(
    '/api/v1/storefront/preview-token',
    {
      config: { permission: 'settings:manage' },
      schema: {
        tags: staffTags,
        summary: "A 10-minute token showing the widget as one customer sees it (member, guest or left view); it can change nothing",
        body: previewBodySchema,
        response: { 201: previewReplySchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await previewToken(ctx, authOf(request).orgId, request.body)),
  );
}
