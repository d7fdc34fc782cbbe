import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { encodeCursor, isIdCursor, readCursor } from '../../http/cursor.js';
import { errorResponses, idParam, listQuery, page } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { bulkAcceptedSchema, bulkPointsBodySchema, outcomeSchema } from './bulk.schemas.js';
import { listBulkOutcomes, startBulkPoints } from './bulk.service.js';


export async function bulkRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['points'];
  app.post(
    '/api/v1/customers/points/bulk',
    {
      config: { permission: 'points:adjust' },
      schema: {
        tags,
        summary: 'Add or deduct points for a selection, a filter or a segment, as a background job',
        description:
          'Replies 202 with the job; follow it at GET /api/v1/jobs/{id} (progress { done, total }, result { ok, refused, refusedByCode }) and read ' +
          'the per-customer report at GET /api/v1/customers/points/bulk/{id}/outcomes. Each customer changes in its own transaction, at most once per job; ' +
          'a deduction larger than the balance is refused for that customer (POINTS_INSUFFICIENT) and the others go on.',
        body: bulkPointsBodySchema,
        response: { 202: bulkAcceptedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      return reply.status(202).send(await startBulkPoints(ctx, auth.orgId, request.body, auth.actor));
    },
  );
  app.get(
    '/api/v1/customers/points/bulk/:id/outcomes',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags,
        summary: 'The per-customer report of a bulk points job: ok with the new balance, or refused with the reason',
        params: idParam,
        querystring: listQuery.extend({ status: z.enum(['ok', 'refused']).optional() }),
        response: { 200: page(outcomeSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { cursor, limit, status } = request.query;
      const orgId = authOf(request).orgId;
      const scope = { list: 'bulk.outcomes', orgId, of: request.params.id };
      const c = readCursor(ctx, scope, cursor, isIdCursor);
      const r = await listBulkOutcomes(ctx, orgId, request.params.id, { status, after: c?.id ?? null, limit });
      return { items: r.items, nextCursor: r.next ? encodeCursor(ctx, scope, { id: r.next }) : null };
    },
  );
}
