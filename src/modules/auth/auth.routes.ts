import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { errorResponses, errorSchema } from '../../http/schemas.js';
import { authOf, SESSION_COOKIE } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { PERMISSIONS } from './permissions.js';
import { authenticateSession, describeMe, login, logout, SESSION_TTL_MS, switchOrganization, type LoginResult } from './auth.service.js';

/** Sets the cookie of a new session and answers who the caller now is. */
export async function replyWithSession(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, session: LoginResult) {
  void reply.setCookie(SESSION_COOKIE, session.token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
  const auth = await authenticateSession(ctx, session.token);
  return describeMe(ctx, auth!);
}

export const meSchema = z
  .object({
    actor: z.object({ type: z.string(), id: z.string().nullable(), name: z.string() }),
    user: z.object({ id: z.string(), email: z.string(), name: z.string() }).nullable(),
    organization: z.object({ id: z.string(), slug: z.string(), name: z.string(), currency: z.string(), timezone: z.string() }),
    role: z.enum(['admin', 'staff', 'api_key']),
    permissions: z.array(z.enum(PERMISSIONS)),
    organizations: z.array(z.object({ id: z.string(), slug: z.string(), name: z.string(), role: z.string() })),
    csrfToken: z.string().nullable(),
  })
  .meta({ id: 'Me' });

export async function authRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['auth'];
  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Sign in with email and password; sets the session cookie',
        security: [],
        body: z.object({
          email: z.string().min(1).max(254),
          password: z.string().min(1).max(200),
          organization: z
            .string()
            .max(63)
            .optional()
            .describe('Organization slug to open; by default the one this person used last (else the one they joined first)'),
        }),
        // Failed sign-ins are throttled per email and per address.
        response: { 200: meSchema, ...errorResponses, 429: errorSchema },
      },
    },
    async (request, reply) => {
      const result = await login(ctx, {
        email: request.body.email,
        password: request.body.password,
        ip: request.ip,
        orgSlug: request.body.organization,
      });
      return replyWithSession(ctx, request, reply, result);
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { schema: { tags, summary: 'End the current session', response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      const auth = authOf(request);
      if (auth.sessionTokenHash) await logout(ctx, auth.sessionTokenHash);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/me',
    { schema: { tags, summary: 'Who is calling, in which organization, with which permissions', response: { 200: meSchema, ...errorResponses } } },
    async (request) => describeMe(ctx, authOf(request)),
  );

  app.get(
    '/api/v1/session',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Whether the caller is signed in: 200 either way (a page load checks it without a 401), with who they are when signed in',
        security: [],
        response: { 200: z.object({ signedIn: z.boolean(), me: meSchema.nullable() }), ...errorResponses },
      },
    },
    async (request) => (request.auth ? { signedIn: true, me: await describeMe(ctx, request.auth) } : { signedIn: false, me: null }),
  );

  app.post(
    '/api/v1/auth/switch-organization',
    {
      schema: {
        tags,
        summary: 'Make another of your organizations the active one for this session',
        body: z.object({ organizationId: z.string().min(1) }),
        response: { 200: meSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await switchOrganization(ctx, auth, request.body.organizationId);
      const token = request.cookies[SESSION_COOKIE]!;
      return describeMe(ctx, (await authenticateSession(ctx, token))!);
    },
  );
}
