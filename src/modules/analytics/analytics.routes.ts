import type { AppContext } from '../../context.js';
import { errorResponses } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { analyticsCardsSchema } from './analytics.schemas.js';
import { getCustomerAnalytics } from './analytics.service.js';

export async function analyticsRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  app.get(
    '/api/v1/analytics/customers',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags: ['analytics'],
        summary: 'Cards: total customers, active this month, average customer value, retention rate',
        description: 'Customers excluded from reports are left out of every card. Definitions: docs/grid.md.',
        response: { 200: analyticsCardsSchema, ...errorResponses },
      },
    },
    async (request) => getCustomerAnalytics(ctx, authOf(request).orgId),
  );
}
