import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { encodeCursor, isIdCursor, isTimeCursor, readCursor } from '../../http/cursor.js';
import { errorResponses, idParam, listQuery, page } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { getCoupon, giveReward, listCustomerCoupons, redeemReward, revokeCoupon } from './rewards.coupons.js';
import {
  couponResultSchema,
  couponSchema,
  giveBodySchema,
  redemptionBodySchema,
  revokeBodySchema,
  rewardCreateSchema,
  rewardPatchSchema,
  rewardSchema,
} from './rewards.schemas.js';
import { createReward, deleteReward, getReward, listRewards, updateReward } from './rewards.service.js';

export async function rewardsRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['rewards'];
  app.post(
    '/api/v1/rewards',
    {
      config: { permission: 'settings:manage' },
      schema: { tags, summary: 'Add a reward to the catalogue', body: rewardCreateSchema, response: { 201: rewardSchema, ...errorResponses } },
    },
    async (request, reply) => reply.status(201).send(await createReward(ctx, authOf(request).orgId, request.body)),
  );
  app.get(
    '/api/v1/rewards',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags,
        summary: 'The rewards catalogue (oldest first)',
        querystring: listQuery.extend({ active: z.enum(['true', 'false'], 'must be true or false').optional() }),
        response: { 200: page(rewardSchema), ...errorResponses },
      },
    },
    async (request) => {
      const orgId = authOf(request).orgId;
      const scope = { list: 'rewards', orgId };
      const c = readCursor(ctx, scope, request.query.cursor, isIdCursor);
      const active = request.query.active === undefined ? undefined : request.query.active === 'true';
      const r = await listRewards(ctx, orgId, { limit: request.query.limit, after: c?.id ?? null, active });
      return { items: r.items, nextCursor: r.next ? encodeCursor(ctx, scope, { id: r.next }) : null };
    },
  );
  app.get(
    '/api/v1/rewards/:id',
    { config: { permission: 'customers:read' }, schema: { tags, summary: 'One reward', params: idParam, response: { 200: rewardSchema, ...errorResponses } } },
    async (request) => getReward(ctx, authOf(request).orgId, request.params.id),
  );
  app.patch(
    '/api/v1/rewards/:id',
    {
      config: { permission: 'settings:manage' },
      schema: { tags, summary: 'Change a reward (issued coupons keep what they were issued with)', params: idParam, body: rewardPatchSchema, response: { 200: rewardSchema, ...errorResponses } },
    },
    async (request) => updateReward(ctx, authOf(request).orgId, request.params.id, request.body),
  );
  app.delete(
    '/api/v1/rewards/:id',
    {
      config: { permission: 'settings:manage' },
      schema: { tags, summary: 'Delete a reward that never issued a coupon (otherwise set active to false)', params: idParam, response: { 204: z.null(), ...errorResponses } },
    },
    async (request, reply) => {
      await deleteReward(ctx, authOf(request).orgId, request.params.id);
      return reply.status(204).send(null);
    },
  );

  const couponTags = ['coupons'];
  app.post(
    '/api/v1/customers/:id/redemptions',
    {
      config: { permission: 'rewards:issue' },
      schema: {
        tags: couponTags,
        summary: "Redeem a reward on the customer's behalf: deducts its points and issues a coupon",
        description: 'Members only. Variable rewards take `points` (a multiple of the reward pointsCost; the value is proportional).',
        params: idParam,
        body: redemptionBodySchema,
        response: { 201: couponResultSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      return reply.status(201).send(await redeemReward(ctx, auth.orgId, request.params.id, request.body, auth.actor));
    },
  );
  app.post(
    '/api/v1/customers/:id/coupons',
    {
      config: { permission: 'rewards:issue' },
      schema: {
        tags: couponTags,
        summary: 'Give a reward, deducting its points or not',
        description: 'Variable, cart fixed amount, free product and price adjustment rewards cannot be given, and guests cannot be given a reward (they cannot redeem): 422 says why.',
        params: idParam,
        body: giveBodySchema,
        response: { 201: couponResultSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      return reply.status(201).send(await giveReward(ctx, auth.orgId, request.params.id, request.body, auth.actor));
    },
  );
  app.get(
    '/api/v1/customers/:id/coupons',
    {
      config: { permission: 'customers:read' },
      schema: { tags: couponTags, summary: 'Coupon history, newest first', params: idParam, querystring: listQuery, response: { 200: page(couponSchema), ...errorResponses } },
    },
    async (request) => {
      const orgId = authOf(request).orgId;
      const scope = { list: 'coupons', orgId, of: request.params.id };
      const c = readCursor(ctx, scope, request.query.cursor, isTimeCursor);
      const r = await listCustomerCoupons(ctx, orgId, request.params.id, {
        limit: request.query.limit,
        before: c ? { createdAt: new Date(c.t), id: c.id } : null,
      });
      return { items: r.items, nextCursor: r.next ? encodeCursor(ctx, scope, { t: r.next.at, id: r.next.id }) : null };
    },
  );
  app.get(
    '/api/v1/coupons/:id',
    {
      config: { permission: 'customers:read' },
      schema: { tags: couponTags, summary: 'One coupon (webhook events carry its id)', params: idParam, response: { 200: couponSchema, ...errorResponses } },
    },
    async (request) => getCoupon(ctx, authOf(request).orgId, request.params.id),
  );
  app.post(
    '/api/v1/coupons/:id/revoke',
    {
      config: { permission: 'rewards:issue' },
      schema: {
        tags: couponTags,
        summary: 'Revoke an unused coupon; its points go back to the lots they came from, exactly once',
        params: idParam,
        body: revokeBodySchema,
        response: { 200: couponResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return revokeCoupon(ctx, auth.orgId, request.params.id, request.body?.reason || undefined, auth.actor);
    },
  );
}
