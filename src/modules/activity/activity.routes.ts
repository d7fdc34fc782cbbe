import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { decodeCursor, encodeCursor, errorResponses, idParam, page } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { activityEventSchema, activityQuery } from './activity.schemas.js';
import { customerActivity } from './activity.service.js';

const isCursor = (v: unknown): v is { t: string; id: string } =>
  typeof v === 'object' && v !== null && typeof (v as { t?: unknown }).t === 'string' && typeof (v as { id?: unknown }).id === 'string';

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
      const raw = request.query.cursor;
      const c = raw ? decodeCursor(raw, isCursor) : null;
      if (raw && (!c || Number.isNaN(Date.parse(c.t)))) throw AppError.validation('cursor', 'is not a cursor returned by this list; start again without it');
      const r = await customerActivity(ctx, authOf(request).orgId, request.params.id, {
        limit: request.query.limit,
        before: c ? { createdAt: new Date(c.t), id: c.id } : null,
        types: request.query.types,
      });
      return { items: r.items, nextCursor: r.next ? encodeCursor({ t: r.next.at, id: r.next.id }) : null };
    },
  );
}
