import type { AppContext } from '../../context.js';
import { errorResponses } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { getProgram, programPatchSchema, programSettingsSchema, updateProgram } from './program.service.js';

export async function programRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['program'];
  app.get(
    '/api/v1/program',
    { config: { permission: 'customers:read' }, schema: { tags, summary: 'Points program settings', response: { 200: programSettingsSchema, ...errorResponses } } },
    async (request) => getProgram(ctx.db, authOf(request).orgId),
  );
  app.patch(
    '/api/v1/program',
    {
      config: { permission: 'settings:manage' },
      schema: {
        tags,
        summary: 'Change earn rate, rounding, award moment, pending period, expiry, clawback and membership mode',
        body: programPatchSchema,
        response: { 200: programSettingsSchema, ...errorResponses },
      },
    },
    async (request) => updateProgram(ctx, authOf(request).orgId, request.body),
  );
}
