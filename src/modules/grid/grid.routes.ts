import type { AppContext } from '../../context.js';
import { errorResponses } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { ACTIVE_DAYS, filterFromQuery, gridPageSchema, gridQuerySchema } from './grid.schemas.js';
import { listGrid } from './grid.service.js';

export async function gridRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  app.get(
    '/api/v1/customers',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags: ['customers'],
        summary: 'The customer grid: search, filter, sort, keyset pages',
        description:
          `search matches a substring of name, email, phone or external id, ignoring case and accents ("zoe" finds "Zoë"); 1-2 characters: the start of first name, last name, email or phone digits, or an exact external id. ` +
          `activity=active means any activity (orders, points, rewards) in the last ${ACTIVE_DAYS} days. Filters combine with AND. ` +
          'total is exact up to 10,000 matches and an estimate beyond (exact=false); it is computed for the first page only.',
        querystring: gridQuerySchema,
        response: { 200: gridPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { sort, limit, cursor, ...filter } = request.query;
      return listGrid(ctx, authOf(request).orgId, { filter: filterFromQuery(filter), sort, limit, cursor });
    },
  );
}
