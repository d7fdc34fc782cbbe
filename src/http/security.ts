import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { authenticateApiKey, authenticateSession, type AuthContext } from '../modules/auth/auth.service.js';
import type { Permission } from '../modules/auth/permissions.js';
import { constantTimeEqual } from '../modules/auth/passwords.js';

export const SESSION_COOKIE = 'patron_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** No authentication needed (login, health, redirects). */
    public?: boolean;
    /** The permission this route requires; absent means any authenticated caller. */
    permission?: Permission;
    /** Admins only (users, API keys). */
    adminOnly?: boolean;
  }
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The authenticated context of a route that required one. */
export function authOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw new AppError('UNAUTHENTICATED', 'Sign in or send an API key');
  return request.auth;
}

export function registerSecurity(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('auth', null);

  // onRequest: credentials are checked before the body is read, parsed or validated, so an
  // unauthenticated request answers 401 whatever it sends (and costs no body parsing).
  app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    const config = request.routeOptions.config;
    const header = request.headers.authorization;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw new AppError('UNAUTHENTICATED', 'Authorization must be "Bearer <API key>"');
      request.auth = await authenticateApiKey(ctx, m[1]!);
    } else {
      const token = request.cookies[SESSION_COOKIE];
      if (token) {
        request.auth = await authenticateSession(ctx, token);
        if (request.auth && UNSAFE.has(request.method) && !config.public) {
          const sent = request.headers[CSRF_HEADER];
          if (typeof sent !== 'string' || !constantTimeEqual(sent, request.auth.csrfToken ?? '')) {
            throw new AppError('CSRF_TOKEN_INVALID', `Send the ${CSRF_HEADER} header from GET /api/v1/me with every change`);
          }
        }
      }
    }
    // Only the API needs a caller; the admin app's static files, health and docs are public.
    const url = request.routeOptions.url;
    if (config.public || !url || !url.startsWith('/api/') || url.startsWith('/api/docs')) return;
    const auth = request.auth;
    if (!auth) throw new AppError('UNAUTHENTICATED', 'Sign in or send an API key');
    if (config.adminOnly && auth.role !== 'admin') {
      throw new AppError('PERMISSION_DENIED', 'Only an organization admin can do this', { permission: 'users:manage' });
    }
    if (config.permission && !auth.permissions.has(config.permission)) {
      throw new AppError('PERMISSION_DENIED', `You need the ${config.permission} permission to do this`, {
        permission: config.permission,
      });
    }
  });
}
