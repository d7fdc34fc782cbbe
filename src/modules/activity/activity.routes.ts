import type { AppContext } from '../../context.js';
import { encodeCursor, isTimeCursor, readCursor } from '../../http/cursor.js';
import { errorResponses, idParam, page } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { activityEventSchema, activityQuery } from './activity.schemas.js';
import { customerActivity } from './activity.service.js';

export async function activityRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  app.get(
    '/api/v1/customers/:id/activity',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags: ['activity'],
        summary: 'The customer timeline: everything that happened, with who did it, newest first',
        params: idParam,
        querystring: activityQuery,
        response: { 200: page(activityEventSchema), ...errorResponses },
      },
    },
    async (request) => {
      const orgId = authOf(request).orgId;
      const scope = { list: 'activity', orgId, of: request.params.id };
      const c = readCursor(ctx, scope, request.query.cursor, isTimeCursor);
      const r = await customerActivity(ctx, orgId, request.params.id, {
        limit: request.query.limit,
        before: c ? { createdAt: new Date(c.t), id: c.id } : null,
        types: request.query.types,
      });
      return { items: r.items, nextCursor: r.next ? encodeCursor(ctx, scope, { t: r.next.at, id: r.next.id }) : null };
    },
  );
}
