import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { errorResponses, idParam } from '../../http/schemas.js';
import { authOf, SESSION_COOKIE } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { authenticateSession, describeMe, meSchema, replyWithSession, startSession } from '../auth/index.js';
import { acceptInvitation, createInvitation, listInvitations, previewInvitation, registerWithInvitation, revokeInvitation } from './invitations.service.js';

const invitationSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: z.enum(['admin', 'staff']),
    permissions: z.array(z.string()),
    status: z.enum(['pending', 'expired', 'accepted', 'revoked']),
    invitedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
    createdAt: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'Invitation' });

const tokenField = z.string().min(1).max(200).describe('The token from the invitation link (the part after "#token=")');

export async function invitationsRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['users'];
  const config = { adminOnly: true };

  app.get(
    '/api/v1/invitations',
    {
      config,
      schema: {
        tags,
        summary: 'Open invitations of this organization (pending or expired), newest first',
        response: { 200: z.object({ items: z.array(invitationSchema), nextCursor: z.null() }), ...errorResponses },
      },
    },
    async (request) => ({ items: await listInvitations(ctx, authOf(request).orgId), nextCursor: null }),
  );

  app.post(
    '/api/v1/invitations',
    {
      config: { ...config, secretReply: true },
      schema: {
        tags,
        summary: 'Invite someone to this organization; the link is in this reply only',
        description:
          'Patron sends no email: pass `acceptUrl` (or your origin + `acceptPath`) to the invited person privately. It works once, for seven days. ' +
          'The reply is the same whether or not the email already has a Patron sign-in: a new person chooses a password, an existing one signs in and accepts. ' +
          'A new invitation for the same email replaces an open one. 409 when the email already has access to this organization.',
        body: z
          .object({
            email: z.string().max(254),
            role: z.enum(['admin', 'staff']),
            permissions: z.array(z.string()).optional().describe('Staff only: permission names or templates (support, marketing, viewer); default support'),
          })
          .strict(),
        response: {
          201: z.object({
            invitation: invitationSchema,
            token: z.string(),
            acceptPath: z.string().describe('Path of the acceptance page in the admin app, with the token in the fragment'),
            acceptUrl: z.string().nullable().describe('PATRON_PUBLIC_URL + acceptPath; null when PATRON_PUBLIC_URL is not set'),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      return reply.status(201).send(await createInvitation(ctx, auth.orgId, auth.userId, request.body));
    },
  );

  app.delete(
    '/api/v1/invitations/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Revoke an open invitation; its link stops working',
        params: idParam,
        response: { 200: invitationSchema, ...errorResponses },
      },
    },
    async (request) => revokeInvitation(ctx, authOf(request).orgId, request.params.id),
  );

  app.post(
    '/api/v1/invitations/preview',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'What an invitation link invites to (for the acceptance page); changes nothing',
        security: [],
        body: z.object({ token: tokenField }).strict(),
        response: {
          200: z.object({
            organization: z.object({ name: z.string(), slug: z.string() }),
            email: z.string(),
            role: z.enum(['admin', 'staff']),
            expiresAt: z.string(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => previewInvitation(ctx, request.body.token),
  );

  app.post(
    '/api/v1/invitations/accept',
    {
      schema: {
        tags,
        summary: 'Accept an invitation to your email while signed in; the session switches to that organization',
        body: z.object({ token: tokenField }).strict(),
        response: { 200: meSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await acceptInvitation(ctx, auth, request.body.token);
      return describeMe(ctx, (await authenticateSession(ctx, request.cookies[SESSION_COOKIE]!))!);
    },
  );

  app.post(
    '/api/v1/invitations/register',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Accept an invitation as someone new: choose a name and password; signs you in',
        description: 'Refused with 409 when the invited email already has a Patron sign-in: sign in with it and use /api/v1/invitations/accept.',
        security: [],
        body: z
          .object({
            token: tokenField,
            name: z.string().max(200).optional(),
            password: z.string().max(200).describe('At least 10 characters'),
          })
          .strict(),
        response: { 201: meSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const joined = await registerWithInvitation(ctx, request.body);
      const session = await startSession(ctx, joined.userId, joined.orgId);
      void reply.status(201);
      return replyWithSession(ctx, request, reply, session);
    },
  );
}
