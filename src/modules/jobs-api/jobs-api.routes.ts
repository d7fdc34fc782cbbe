import type { AppContext } from '../../context.js';
import { errorResponses, idParam } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { jobViewSchema } from './jobs-api.schemas.js';
import { getJobView } from './jobs-api.service.js';

export async function jobsApiRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  app.get(
    '/api/v1/jobs/:id',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags: ['jobs'],
        summary: 'A background job (bulk change, import, export): status, progress and result',
        params: idParam,
        response: { 200: jobViewSchema, ...errorResponses },
      },
    },
    async (request) => getJobView(ctx.db, authOf(request).orgId, request.params.id),
  );
}
