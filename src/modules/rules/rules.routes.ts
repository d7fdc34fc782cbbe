import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { ID_PATTERN } from '../../db/ids.js';
import { encodeCursor, isIdCursor, readCursor } from '../../http/cursor.js';
import { errorResponses, idParam, listQuery, page } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { removeCustomAction, triggerCustomAction } from './custom-actions.service.js';
import {
  customActionBodySchema,
  customActionRemovalSchema,
  customActionResultSchema,
  earningRuleSchema,
  ruleCreateSchema,
  rulePatchSchema,
} from './rules.schemas.js';
import { createRule, deleteRule, getRule, listRuleViews, updateRule } from './rules.service.js';

export async function rulesRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['earning rules'];
  app.get(
    '/api/v1/earning-rules',
    { config: { permission: 'customers:read' }, schema: { tags, summary: 'Earning rules (signup, birthday, anniversary, custom actions, referral)', querystring: listQuery, response: { 200: page(earningRuleSchema), ...errorResponses } } },
    async (request) => {
      const { limit, cursor } = request.query;
      const orgId = authOf(request).orgId;
      const scope = { list: 'earning-rules', orgId };
      const after = readCursor(ctx, scope, cursor, isIdCursor);
      const r = await listRuleViews(ctx.db, orgId, after?.id ?? null, limit);
      return { items: r.items, nextCursor: r.lastId ? encodeCursor(ctx, scope, { id: r.lastId }) : null };
    },
  );
  app.post(
    '/api/v1/earning-rules',
    { config: { permission: 'settings:manage' }, schema: { tags, summary: 'Create an earning rule', body: ruleCreateSchema, response: { 201: earningRuleSchema, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await createRule(ctx, authOf(request).orgId, request.body)),
  );
  app.get(
    '/api/v1/earning-rules/:id',
    { config: { permission: 'customers:read' }, schema: { tags, summary: 'One earning rule', params: idParam, response: { 200: earningRuleSchema, ...errorResponses } } },
    async (request) => getRule(ctx.db, authOf(request).orgId, request.params.id),
  );
  app.patch(
    '/api/v1/earning-rules/:id',
    {
      config: { permission: 'settings:manage' },
      schema: { tags, summary: 'Change an earning rule (name, points, active, limit, config)', params: idParam, body: rulePatchSchema, response: { 200: earningRuleSchema, ...errorResponses } },
    },
    async (request) => updateRule(ctx, authOf(request).orgId, request.params.id, request.body),
  );
  app.delete(
    '/api/v1/earning-rules/:id',
    {
      config: { permission: 'settings:manage' },
      schema: { tags, summary: 'Delete an earning rule (points already earned stay)', params: idParam, response: { 204: z.null(), ...errorResponses } },
    },
    async (request, reply) => {
      await deleteRule(ctx, authOf(request).orgId, request.params.id);
      return reply.status(204).send(null);
    },
  );

  const ctags = ['customers', 'earning rules'];
  app.post(
    '/api/v1/customers/:id/custom-actions',
    {
      config: { permission: 'points:adjust' },
      schema: {
        tags: ctags,
        summary: "Trigger a custom action for the customer: credits the rule's points within its per-customer limit",
        params: idParam,
        body: customActionBodySchema,
        response: { 201: customActionResultSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      return reply.status(201).send(await triggerCustomAction(ctx, auth.orgId, request.params.id, request.body.actionKey, auth.actor));
    },
  );
  app.delete(
    '/api/v1/customers/:id/custom-actions/:entryId',
    {
      config: { permission: 'points:adjust' },
      schema: {
        tags: ctags,
        summary: 'Remove a triggered custom action: reverses its points once (refused when they were spent, unless clawback allows negative)',
        params: idParam.extend({ entryId: z.string().regex(ID_PATTERN, 'must be the ledger entry id of the custom action') }),
        response: { 200: customActionRemovalSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return removeCustomAction(ctx, auth.orgId, request.params.id, request.params.entryId, auth.actor);
    },
  );
}
