import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { errorResponses } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { getOrganization, updateOrganization } from './orgs.service.js';

const orgSchema = z
  .object({ id: z.string(), slug: z.string(), name: z.string(), currency: z.string(), timezone: z.string(), createdAt: z.string() })
  .meta({ id: 'Organization' });

export async function orgsRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['organization'];
  app.get(
    '/api/v1/organization',
    { schema: { tags, summary: 'The organization this request acts in', response: { 200: orgSchema, ...errorResponses } } },
    async (request) => getOrganization(ctx, authOf(request).orgId),
  );
  app.patch(
    '/api/v1/organization',
    {
      config: { permission: 'settings:manage' },
      schema: {
        tags,
        summary: 'Rename, or change currency or time zone',
        body: z.object({ name: z.string().max(200).optional(), currency: z.string().optional(), timezone: z.string().optional() }),
        response: { 200: orgSchema, ...errorResponses },
      },
    },
    async (request) => updateOrganization(ctx, authOf(request).orgId, request.body),
  );
}
