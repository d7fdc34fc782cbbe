import type { AppContext } from '../../context.js';
import { errorResponses, idParam } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { preferencesPatchSchema, preferencesSchema } from './preferences.schemas.js';
import { customerActorFor, getPreferences, setPreferences } from './preferences.service.js';

export async function preferencesRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['customers'];
  app.get(
    '/api/v1/customers/:id/notification-preferences',
    {
      config: { permission: 'customers:read' },
      schema: { tags, summary: "The customer's notification preferences (read-only for staff)", params: idParam, response: { 200: preferencesSchema, ...errorResponses } },
    },
    async (request) => getPreferences(ctx, authOf(request).orgId, request.params.id),
  );
  app.put(
    '/api/v1/customers/:id/notification-preferences',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags,
        summary: "Change the customer's own notification preferences (API keys only: the store acting for its signed-in customer)",
        description: 'Staff sessions get 403: preferences are the customer\'s choice. The timeline records "Customer (via <key>)".',
        params: idParam,
        body: preferencesPatchSchema,
        response: { 200: preferencesSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const actor = customerActorFor(auth);
      return setPreferences(ctx, auth.orgId, request.params.id, request.body, actor);
    },
  );
}
