import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { errorResponses, idParam } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { createUser, listUsers, updateUser } from './users.service.js';

const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(['admin', 'staff']),
    permissions: z.array(z.string()),
    disabled: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: 'User' });

export async function usersRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['users'];
  const config = { adminOnly: true };
  app.get(
    '/api/v1/users',
    { config, schema: { tags, summary: 'People with access to this organization', response: { 200: z.object({ items: z.array(userSchema), nextCursor: z.null() }), ...errorResponses } } },
    async (request) => ({ items: await listUsers(ctx, authOf(request).orgId), nextCursor: null }),
  );
  app.post(
    '/api/v1/users',
    {
      config,
      schema: {
        tags,
        summary: 'Give someone access (admin, or staff with a permission template or list)',
        body: z.object({
          email: z.string().max(254),
          password: z.string().max(200),
          name: z.string().max(200).optional(),
          role: z.enum(['admin', 'staff']),
          permissions: z.array(z.string()).optional().describe('Permission names or templates: support, marketing, viewer'),
        }),
        response: { 201: userSchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createUser(ctx, authOf(request).orgId, request.body)),
  );
  app.patch(
    '/api/v1/users/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Change role, permissions or name; disable or re-enable access',
        params: idParam,
        body: z.object({
          role: z.enum(['admin', 'staff']).optional(),
          permissions: z.array(z.string()).optional(),
          disabled: z.boolean().optional(),
          name: z.string().max(200).optional(),
        }),
        response: { 200: userSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return updateUser(ctx, auth.orgId, auth.userId, request.params.id, request.body);
    },
  );
}
