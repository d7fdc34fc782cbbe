import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { encodeCursor, isTimeCursor, readCursor } from '../../http/cursor.js';
import { errorResponses, errorSchema, idParam, listQuery, page } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { listReferredFriends } from './referrals.friends.js';
import { createReferral } from './referrals.lifecycle.js';
import { discountCodeSchema, referralCreateSchema, referralLinkSchema, referralSchema, referralSettingsBody, referralSettingsSchema, referredFriendSchema } from './referrals.schemas.js';
import {
  activateLink,
  disableLink,
  getReferral,
  getReferralSettings,
  regenerateLink,
  saveReferralSettings,
  setFriendDiscountCode,
  visitLink,
} from './referrals.service.js';

export const REFERRAL_COOKIE = 'patron_ref';
const COOKIE_MAX_AGE_S = 30 * 86_400;

export async function referralsRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['referrals'];

  app.get(
    '/api/v1/customers/:id/referral',
    {
      config: { permission: 'customers:read' },
      schema: { tags, summary: "The customer's referral link and stats (a member's link is created on first read)", params: idParam, response: { 200: referralLinkSchema, ...errorResponses } },
    },
    async (request) => getReferral(ctx, authOf(request).orgId, request.params.id),
  );
  const actions = [
    ['disable', 'Disable the link: visitors still reach the store, but no referral starts', disableLink],
    ['activate', 'Activate the link again', activateLink],
    ['regenerate', 'Replace the code; the old code stops working', regenerateLink],
  ] as const;
  for (const [action, summary, fn] of actions) {
    app.post(
      `/api/v1/customers/:id/referral/${action}`,
      { config: { permission: 'customers:write' }, schema: { tags, summary, params: idParam, response: { 200: referralLinkSchema, ...errorResponses } } },
      async (request) => {
        const auth = authOf(request);
        return fn(ctx, auth.orgId, request.params.id, auth.actor);
      },
    );
  }
  app.put(
    '/api/v1/customers/:id/referral/discount-code',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags,
        summary: "Set or clear (null) the friend's discount code for this link",
        description: 'A code belongs to one customer of the organization (compared without case): a code another customer holds answers 409 ALREADY_EXISTS.',
        params: idParam, body: discountCodeSchema, response: { 200: referralLinkSchema, ...errorResponses } },
    },
    async (request) => {
      const auth = authOf(request);
      return setFriendDiscountCode(ctx, auth.orgId, request.params.id, request.body.code, auth.actor);
    },
  );
  app.get(
    '/api/v1/referrals/settings',
    { config: { permission: 'settings:manage' }, schema: { tags, summary: 'Where referral links point and land', response: { 200: referralSettingsSchema, ...errorResponses } } },
    async (request) => getReferralSettings(ctx, authOf(request).orgId),
  );
  app.put(
    '/api/v1/referrals/settings',
    {
      config: { permission: 'settings:manage' },
      schema: {
        tags,
        summary: 'Set where referral links land and the storefront URL they are built on',
        description:
          'Both are absolute http(s) URLs; absent fields are kept, null clears one. Links are {storefrontUrl}/r/{code}, else PATRON_PUBLIC_URL/r/{code}; visits land on landingUrl, else storefrontUrl, else "/".',
        body: referralSettingsBody,
        response: { 200: referralSettingsSchema, ...errorResponses },
      },
    },
    async (request) => saveReferralSettings(ctx, authOf(request).orgId, request.body),
  );
  app.post(
    '/api/v1/referrals',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags,
        summary: 'Start a referral when a friend signs up (the store calls this with the code or the patron_ref click id)',
        description: 'Pending until the friend places a first qualifying (paid) order; the referrer then earns the referral rule points.',
        body: referralCreateSchema,
        response: { 201: referralSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      return reply.status(201).send(await createReferral(ctx, auth.orgId, request.body, auth.actor));
    },
  );
  app.get(
    '/api/v1/customers/:id/referrals',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags,
        summary: 'Who the customer referred: each friend, status, completing order and date, newest first',
        params: idParam,
        querystring: listQuery,
        response: { 200: page(referredFriendSchema), ...errorResponses },
      },
    },
    async (request) => {
      const orgId = authOf(request).orgId;
      const scope = { list: 'referred-friends', orgId, of: request.params.id };
      const c = readCursor(ctx, scope, request.query.cursor, isTimeCursor);
      const r = await listReferredFriends(ctx, orgId, request.params.id, { limit: request.query.limit, before: c ? { createdAt: new Date(c.t), id: c.id } : null });
      return { items: r.items, nextCursor: r.next ? encodeCursor(ctx, scope, { t: r.next.at, id: r.next.id }) : null };
    },
  );
  app.get(
    '/r/:code',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Public referral link: records the click and redirects to the landing URL',
        description:
          "Always a redirect. An active member's link sets the `patron_ref` cookie (and query parameter) to the click id; a disabled link, or the link of a customer who left, redirects to the landing URL without tracking; a replaced code redirects to its organization's landing URL and an unknown code to \"/\".",
        params: z.object({ code: z.string().min(1).max(64) }),
        response: { 302: z.null().describe('Redirect to the landing URL (Location header)'), 400: errorSchema },
      },
    },
    async (request, reply) => {
      const visit = await visitLink(ctx, request.params.code);
      void reply.header('cache-control', 'no-store');
      if (visit.clickId) {
        void reply.setCookie(REFERRAL_COOKIE, visit.clickId, { path: '/', httpOnly: true, sameSite: 'lax', maxAge: COOKIE_MAX_AGE_S, secure: request.protocol === 'https' });
      }
      return reply.redirect(visit.location, 302);
    },
  );
}
