import type { AppContext } from '../../context.js';
import { errorResponses, idParam } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { noteBodySchema, noteSchema } from './notes.schemas.js';
import { saveNote } from './notes.service.js';

export async function notesRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  app.put(
    '/api/v1/customers/:id/note',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags: ['customers'],
        summary: 'Set the internal note (at most 2,000 characters; empty text clears it)',
        params: idParam,
        body: noteBodySchema,
        response: { 200: noteSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return saveNote(ctx, auth.orgId, request.params.id, request.body.text, auth.actor);
    },
  );
}
