import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { encodeCursor, readCursor } from '../../http/cursor.js';
import { errorResponses, idParam, listQuery, page } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { customerSchema } from '../customers/index.js';
import { assignTier, recalculateTier, releaseManualTier, setTierProgress } from './tiers.customer.service.js';
import { customerTierBodySchema, customerTierProgressBodySchema, tierChangePreviewQuerySchema, tierChangePreviewSchema, tierCreateSchema, tierPatchSchema, tierSchema, tierSettingsBodySchema, tierSettingsSchema } from './tiers.schemas.js';
import { previewTierChange } from './tiers.standing.js';
import { createTier, deleteTier, getTierSettings, getTierView, listTierViews, putTierSettings, updateTier } from './tiers.service.js';

const isRankCursor = (v: unknown): v is { r: number } => typeof v === 'object' && v !== null && typeof (v as { r?: unknown }).r === 'number';

export async function tiersRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['tiers'];
  app.get(
    '/api/v1/tiers',
    {
      config: { permission: 'customers:read' },
      schema: { tags, summary: 'VIP tiers, lowest first', querystring: listQuery, response: { 200: page(tierSchema), ...errorResponses } },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const orgId = authOf(request).orgId;
      const scope = { list: 'tiers', orgId };
      const after = readCursor(ctx, scope, cursor, isRankCursor);
      const all = (await listTierViews(ctx.db, orgId)).filter((t) => t.rank > (after?.r ?? 0));
      const items = all.slice(0, limit);
      const last = items[items.length - 1];
      return { items, nextCursor: all.length > limit && last ? encodeCursor(ctx, scope, { r: last.rank }) : null };
    },
  );
  app.get(
    '/api/v1/tiers/settings',
    { config: { permission: 'customers:read' }, schema: { tags, summary: 'Tier basis, qualification window and grace days', response: { 200: tierSettingsSchema, ...errorResponses } } },
    async (request) => getTierSettings(ctx.db, authOf(request).orgId),
  );
  app.put(
    '/api/v1/tiers/settings',
    {
      config: { permission: 'settings:manage' },
      schema: {
        tags,
        summary: 'Set the tier basis, qualification window and grace days',
        description: 'The basis cannot change while tiers exist (their thresholds are in the basis unit).',
        body: tierSettingsBodySchema,
        response: { 200: tierSettingsSchema, ...errorResponses },
      },
    },
    async (request) => putTierSettings(ctx, authOf(request).orgId, request.body),
  );
  app.post(
    '/api/v1/tiers',
    { config: { permission: 'settings:manage' }, schema: { tags, summary: 'Create a tier', body: tierCreateSchema, response: { 201: tierSchema, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await createTier(ctx, authOf(request).orgId, request.body)),
  );
  app.get(
    '/api/v1/tiers/:id',
    { config: { permission: 'customers:read' }, schema: { tags, summary: 'One tier', params: idParam, response: { 200: tierSchema, ...errorResponses } } },
    async (request) => getTierView(ctx.db, authOf(request).orgId, request.params.id),
  );
  app.patch(
    '/api/v1/tiers/:id',
    {
      config: { permission: 'settings:manage' },
      schema: { tags, summary: 'Change a tier (name, threshold, benefits)', params: idParam, body: tierPatchSchema, response: { 200: tierSchema, ...errorResponses } },
    },
    async (request) => updateTier(ctx, authOf(request).orgId, request.params.id, request.body),
  );
  app.delete(
    '/api/v1/tiers/:id',
    {
      config: { permission: 'settings:manage' },
      schema: { tags, summary: 'Delete a tier nobody holds', params: idParam, response: { 204: z.null(), ...errorResponses } },
    },
    async (request, reply) => {
      await deleteTier(ctx, authOf(request).orgId, request.params.id);
      return reply.status(204).send(null);
    },
  );

  const ctags = ['customers', 'tiers'];
  app.put(
    '/api/v1/customers/:id/tier',
    {
      config: { permission: 'tiers:manage' },
      schema: {
        tags: ctags,
        summary: "Change a customer's tier by hand, up or down (optionally its progress); the tier is labelled manually assigned",
        description:
          'While manual, the assessment never lowers the tier below it; qualifying activity can still raise it (the label stays). Moving up grants the tier entry reward once per customer unless grantEntryReward is false (GET .../tier/preview tells how many points). Rules: docs/tiers.md.',
        params: idParam,
        body: customerTierBodySchema,
        response: { 200: customerSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return assignTier(ctx, auth.orgId, request.params.id, request.body, auth.actor);
    },
  );
  app.put(
    '/api/v1/customers/:id/tier/progress',
    {
      config: { permission: 'tiers:manage' },
      schema: {
        tags: ctags,
        summary: "Set a customer's tier progress; the tier does not become manual",
        description: 'Progress that reaches a higher tier raises it at once (with its entry reward); a lower tier waits for the assessment. Recalculating undoes the edit.',
        params: idParam,
        body: customerTierProgressBodySchema,
        response: { 200: customerSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return setTierProgress(ctx, auth.orgId, request.params.id, request.body, auth.actor);
    },
  );
  app.get(
    '/api/v1/customers/:id/tier/preview',
    {
      config: { permission: 'tiers:manage' },
      schema: {
        tags: ctags,
        summary: 'What assigning a tier by hand would do: up or down, and the entry reward it would also credit',
        params: idParam,
        querystring: tierChangePreviewQuerySchema,
        response: { 200: tierChangePreviewSchema, ...errorResponses },
      },
    },
    async (request) => previewTierChange(ctx.db, authOf(request).orgId, request.params.id, request.query.tierId),
  );
  app.delete(
    '/api/v1/customers/:id/tier/manual',
    {
      config: { permission: 'tiers:manage' },
      schema: { tags: ctags, summary: 'Release the manual tier assignment: progress that reaches a higher tier raises it at once (tier.reason says why)', params: idParam, response: { 200: customerSchema, ...errorResponses } },
    },
    async (request) => {
      const auth = authOf(request);
      return releaseManualTier(ctx, auth.orgId, request.params.id, auth.actor);
    },
  );
  app.post(
    '/api/v1/customers/:id/tier/recalculate',
    {
      config: { permission: 'tiers:manage' },
      schema: {
        tags: ctags,
        summary: 'Recalculate tier progress from history (orders and ledger in the current window); never changes the tier or the manual label',
        params: idParam,
        response: { 200: customerSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return recalculateTier(ctx, auth.orgId, request.params.id, auth.actor);
    },
  );
}
