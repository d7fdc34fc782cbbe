import type { AppContext } from '../../context.js';
import { errorResponses, idParam } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { customerSchema } from '../customers/index.js';
import { previewMembershipChange } from './membership.preview.js';
import { bulkMembershipBodySchema, bulkMembershipResultSchema, membershipBodySchema, membershipPreviewQuerySchema, membershipPreviewSchema } from './membership.schemas.js';
import { BULK_INLINE_LIMIT, bulkChangeMembership, changeMembership } from './membership.service.js';

export async function membershipRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['customers', 'membership'];
  app.post(
    '/api/v1/customers/membership/bulk',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags,
        summary: 'Change the membership type of many customers (a list of ids or a grid filter)',
        description: `Up to ${BULK_INLINE_LIMIT} customers are changed at once and the reply (200) lists one outcome per customer. Larger selections reply 202 with a job id: follow GET /api/v1/jobs/{jobId} for progress and the refusals.`,
        body: bulkMembershipBodySchema,
        response: { 200: bulkMembershipResultSchema, 202: bulkMembershipResultSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const result = await bulkChangeMembership(ctx, auth.orgId, request.body, auth.actor);
      return reply.status(result.status === 'queued' ? 202 : 200).send(result);
    },
  );
  app.get(
    '/api/v1/customers/:id/membership/preview',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags,
        summary: 'What changing the membership type would do: allowed or not, and the welcome bonus it would also credit',
        params: idParam,
        querystring: membershipPreviewQuerySchema,
        response: { 200: membershipPreviewSchema, ...errorResponses },
      },
    },
    async (request) => previewMembershipChange(ctx.db, authOf(request).orgId, request.params.id, request.query.type),
  );
  app.post(
    '/api/v1/customers/:id/membership',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags,
        summary: 'Change the membership type: guest->member, guest->left, member->left, left->member',
        description: 'Any other move is refused with 409 MEMBERSHIP_TRANSITION_INVALID listing the allowed moves. Leaving freezes the balance; reinstatement makes it usable again.',
        params: idParam,
        body: membershipBodySchema,
        response: { 200: customerSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return changeMembership(ctx, auth.orgId, request.params.id, request.body.type, auth.actor);
    },
  );
}
