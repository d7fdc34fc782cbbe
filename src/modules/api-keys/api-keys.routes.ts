import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { errorResponses, idParam } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.js';

const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.string()),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

export async function apiKeysRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['api-keys'];
  const config = { adminOnly: true };
  app.get(
    '/api/v1/api-keys',
    { config, schema: { tags, summary: 'API keys of this organization (secrets are never shown again)', response: { 200: z.object({ items: z.array(apiKeySchema), nextCursor: z.null() }), ...errorResponses } } },
    async (request) => ({ items: await listApiKeys(ctx, authOf(request).orgId), nextCursor: null }),
  );
  app.post(
    '/api/v1/api-keys',
    {
      config: { ...config, secretReply: true },
      schema: {
        tags,
        summary: 'Create an API key; the secret is in this reply only',
        body: z.object({ name: z.string().max(100), scopes: z.array(z.string()).min(1) }),
        response: { 201: z.object({ apiKey: apiKeySchema, secret: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      return reply.status(201).send(await createApiKey(ctx, auth.orgId, { ...request.body, createdBy: auth.actor.id }));
    },
  );
  app.delete(
    '/api/v1/api-keys/:id',
    { config, schema: { tags, summary: 'Revoke an API key (it answers 401 from now on)', params: idParam, response: { 200: apiKeySchema, ...errorResponses } } },
    async (request) => revokeApiKey(ctx, authOf(request).orgId, request.params.id),
  );
}
