import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { errorResponses, idParam } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { invitationsRoutes } from './invitations.routes.js';
import { listUsers, updateUser } from './users.service.js';

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
  app.patch(
    '/api/v1/users/:id',
    {
      config,
      schema: {
        tags,
        summary: "Change this organization's membership of a person: role, permissions, disabled here",
        description:
          'Only what this organization grants: a person\'s name, email and password are theirs (PATCH /api/v1/me), and their access to other organizations is untouched. Disabling ends the sessions open in this organization only.',
        params: idParam,
        body: z
          .object({
            role: z.enum(['admin', 'staff']).optional(),
            permissions: z.array(z.string()).optional().describe('Permission names or templates: support, marketing, viewer'),
            disabled: z.boolean().optional(),
          })
          .strict(),
        response: { 200: userSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return updateUser(ctx, auth.orgId, auth.userId, request.params.id, request.body);
    },
  );
  // People join an organization by invitation: /api/v1/invitations (create, list, revoke, accept).
  await invitationsRoutes(app, ctx);
}
