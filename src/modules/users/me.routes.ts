import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { errorResponses } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { describeMe, meSchema } from '../auth/index.js';
import { updatePerson } from './people.js';

/** The signed-in person's own name, email and password (`GET /api/v1/me` is the auth module's). */
export async function meRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  app.patch(
    '/api/v1/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change your own name, email or password (email and password need your current password)',
        description:
          'Names, emails and passwords belong to the person: only they change them, here. A new email or password ends your other sessions. Wrong current passwords count against the sign-in limit.',
        body: z
          .object({
            name: z.string().max(200).optional(),
            email: z.string().max(254).optional(),
            currentPassword: z.string().max(200).optional(),
            newPassword: z.string().max(200).optional(),
          })
          .strict(),
        response: { 200: meSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      if (!auth.userId) throw new AppError('PERMISSION_DENIED', 'Only a signed-in person can change their own details; API keys cannot');
      await updatePerson(ctx, auth.userId, auth.sessionTokenHash, request.body);
      return describeMe(ctx, auth);
    },
  );
}
