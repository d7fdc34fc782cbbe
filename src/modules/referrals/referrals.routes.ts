import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { errorResponses, errorSchema, idParam } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { createReferral } from './referrals.lifecycle.js';
import { discountCodeSchema, referralCreateSchema, referralLinkSchema, referralSchema, referralSettingsBody, referralSettingsSchema } from './referrals.schemas.js';
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
  const origin = (request: FastifyRequest) => ctx.config.publicUrl ?? `${request.protocol}://${request.host}`;

  app.get(
    '/api/v1/customers/:id/referral',
    {
      config: { permission: 'customers:read' },
      schema: { tags, summary: "The customer's referral link and stats (a member's link is created on first read)", params: idParam, response: { 200: referralLinkSchema, ...errorResponses } },
    },
    async (request) => getReferral(ctx, authOf(request).orgId, request.params.id, origin(request)),
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
        return fn(ctx, auth.orgId, request.params.id, auth.actor, origin(request));
      },
    );
  }
  app.put(
    '/api/v1/customers/:id/referral/discount-code',
    {
      config: { permission: 'customers:write' },
      schema: { tags, summary: "Set or clear (null) the friend's discount code for this link", params: idParam, body: discountCodeSchema, response: { 200: referralLinkSchema, ...errorResponses } },
    },
    async (request) => {
      const auth = authOf(request);
      return setFriendDiscountCode(ctx, auth.orgId, request.params.id, request.body.code, auth.actor, origin(request));
    },
  );
  app.get(
    '/api/v1/referrals/settings',
    { config: { permission: 'settings:manage' }, schema: { tags, summary: 'Where referral links land', response: { 200: referralSettingsSchema, ...errorResponses } } },
    async (request) => getReferralSettings(ctx, authOf(request).orgId),
  );
  app.put(
    '/api/v1/referrals/settings',
    {
      config: { permission: 'settings:manage' },
      schema: { tags, summary: 'Set where referral links land (default "/")', body: referralSettingsBody, response: { 200: referralSettingsSchema, ...errorResponses } },
    },
    async (request) => saveReferralSettings(ctx, authOf(request).orgId, request.body.landingUrl),
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
    '/r/:code',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Public referral link: records the click and redirects to the landing URL',
        description: 'An active link sets the `patron_ref` cookie (and query parameter) to the click id; a disabled link redirects without tracking.',
        params: z.object({ code: z.string().min(1).max(64) }),
        response: { 302: z.null().describe('Redirect to the landing URL'), 404: errorSchema },
      },
    },
    async (request, reply) => {
      const visit = await visitLink(ctx, request.params.code);
      if (!visit) throw new AppError('NOT_FOUND', 'This referral link does not exist or was replaced');
      if (visit.clickId) {
        void reply.setCookie(REFERRAL_COOKIE, visit.clickId, { path: '/', httpOnly: true, sameSite: 'lax', maxAge: COOKIE_MAX_AGE_S, secure: request.protocol === 'https' });
      }
      return reply.redirect(visit.location, 302);
    },
  );
}
