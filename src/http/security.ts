import { PassThrough, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { authenticateApiKey, authenticateSession, type AuthContext } from '../modules/auth/auth.service.js';
import type { Permission } from '../modules/auth/permissions.js';
import { constantTimeEqual } from '../modules/auth/passwords.js';

export const SESSION_COOKIE = 'patron_session';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * How a route is authenticated:
 * - `'staff'`: the session cookie (with the CSRF header on changes) or a `Bearer` API key;
 *   the default for every `/api/` route;
 * - `'public'`: nothing needed (credentials sent anyway must be valid);
 * - `{ verifier }`: a named verifier contributed by a module (a signed webhook, a storefront
 *   customer token, a pass token). Staff credentials are neither read nor accepted there.
 */
export type RouteAuth = 'staff' | 'public' | { verifier: string };

/** Who a verifier found the caller to be. */
export interface VerifiedCaller {
  orgId: string;
  /** An `integration` or a `customer`, with the name the timeline shows. */
  actor: Actor;
  /** What else the verifier established for the handler (a shop domain, a customer id). */
  claims: Readonly<Record<string, string>>;
}

export interface RouteVerifier {
  /**
   * Read the exact body bytes before verifying (a signature over the body): they are in
   * `request.rawBody` when `verify` runs, and the body is parsed only after it succeeds.
   */
  rawBody?: boolean;
  /**
   * Says who is calling, or throws `UNAUTHENTICATED` (401). Runs before the body is parsed.
   * Compare secrets in constant time (`crypto.timingSafeEqual`).
   */
  verify(request: FastifyRequest, ctx: AppContext): Promise<VerifiedCaller>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** How the route is authenticated; `'staff'` under `/api/` unless said otherwise. */
    auth?: RouteAuth;
    /** Same as `auth: 'public'` (login, health, redirects). */
    public?: boolean;
    /** The permission this route requires; absent means any authenticated caller. */
    permission?: Permission;
    /** Admins only (users, API keys). */
    adminOnly?: boolean;
    /** Keep the exact body bytes in `request.rawBody` (read before parsing, within the body limit). */
    rawBody?: boolean;
  }
  interface FastifyRequest {
    auth: AuthContext | null;
    /** The caller a route verifier established (`auth: { verifier }` routes only). */
    caller: VerifiedCaller | null;
    /** The exact body bytes, on routes that ask for them (`config.rawBody` or a raw-body verifier). */
    rawBody: Buffer | null;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** How a route is authenticated, from its config and URL. */
export function routeAuth(config: { auth?: RouteAuth; public?: boolean } | undefined, url: string | undefined): RouteAuth {
  if (config?.auth) return config.auth;
  if (config?.public) return 'public';
  // Only the API needs a caller; the admin app's static files, health and docs are public.
  return url?.startsWith('/api/') && !url.startsWith('/api/docs') ? 'staff' : 'public';
}

/** The authenticated context of a route that required one. */
export function authOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw new AppError('UNAUTHENTICATED', 'Sign in or send an API key');
  return request.auth;
}

/** The caller of a route authenticated by a verifier. */
export function callerOf(request: FastifyRequest): VerifiedCaller {
  if (!request.caller) throw new AppError('UNAUTHENTICATED', 'This request was not verified');
  return request.caller;
}

/** The exact body bytes of a route that asked for them. */
export function rawBodyOf(request: FastifyRequest): Buffer {
  if (!request.rawBody) throw new Error(`Route ${request.routeOptions.url ?? ''} reads its raw body without config.rawBody`);
  return request.rawBody;
}

/** Reads a body stream into one buffer, refusing it once it passes `limit` bytes. */
async function readBody(payload: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > limit) {
      payload.destroy();
      throw new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than the ${limit}-byte limit`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks, size);
}

function verifierOf(verifiers: ReadonlyMap<string, RouteVerifier>, auth: RouteAuth): RouteVerifier | null {
  if (typeof auth !== 'object') return null;
  const v = verifiers.get(auth.verifier);
  // Checked when the route is declared; this keeps a request from ever passing unverified.
  if (!v) throw new AppError('UNAUTHENTICATED', 'This route cannot verify requests');
  return v;
}

async function authenticateStaffCredentials(request: FastifyRequest, ctx: AppContext, isPublic: boolean): Promise<void> {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new AppError('UNAUTHENTICATED', 'Authorization must be "Bearer <API key>"');
    request.auth = await authenticateApiKey(ctx, m[1]!);
    return;
  }
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return;
  request.auth = await authenticateSession(ctx, token);
  if (request.auth && UNSAFE.has(request.method) && !isPublic) {
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !constantTimeEqual(sent, request.auth.csrfToken ?? '')) {
      throw new AppError('CSRF_TOKEN_INVALID', `Send the ${CSRF_HEADER} header from GET /api/v1/me with every change`);
    }
  }
}

export function registerSecurity(app: FastifyInstance, ctx: AppContext, verifiers: ReadonlyMap<string, RouteVerifier> = new Map()): void {
  app.decorateRequest('auth', null);
  app.decorateRequest('caller', null);
  app.decorateRequest('rawBody', null);

  // A route's authentication is checked when it is declared: a verifier nobody registered,
  // or staff permissions on a route that is not for staff, fail at startup.
  app.addHook('onRoute', (route) => {
    const config = route.config ?? {};
    const auth = routeAuth(config, route.url);
    const where = `${[route.method].flat().join(',')} ${route.url}`;
    if (config.public && config.auth && config.auth !== 'public') throw new Error(`${where}: config.public contradicts config.auth`);
    if (typeof auth === 'object' && !verifiers.has(auth.verifier)) {
      throw new Error(`${where}: no module registers the verifier "${auth.verifier}" (known: ${[...verifiers.keys()].join(', ') || 'none'})`);
    }
    if (auth !== 'staff' && (config.permission || config.adminOnly)) {
      throw new Error(`${where}: permission and adminOnly apply to staff routes only`);
    }
  });

  // onRequest: credentials are checked before the body is read, parsed or validated, so an
  // unauthenticated request answers 401 whatever it sends (and costs no body parsing).
  app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    const config = request.routeOptions.config;
    const auth = routeAuth(config, request.routeOptions.url);
    const verifier = verifierOf(verifiers, auth);
    if (verifier) {
      // Verified routes never take staff credentials; a raw-body verifier runs once the bytes are read.
      if (!verifier.rawBody) request.caller = await verifier.verify(request, ctx);
      return;
    }
    await authenticateStaffCredentials(request, ctx, config.public === true || config.auth === 'public');
    if (auth !== 'staff') return;
    const staff = request.auth;
    if (!staff) throw new AppError('UNAUTHENTICATED', 'Sign in or send an API key');
    if (config.adminOnly && staff.role !== 'admin') {
      throw new AppError('PERMISSION_DENIED', 'Only an organization admin can do this', { permission: 'users:manage' });
    }
    if (config.permission && !staff.permissions.has(config.permission)) {
      throw new AppError('PERMISSION_DENIED', `You need the ${config.permission} permission to do this`, {
        permission: config.permission,
      });
    }
  });

  // preParsing: routes that need their exact bytes read them here (within the route's body
  // limit), a raw-body verifier checks them, and only then is the body parsed, from a copy.
  app.addHook('preParsing', async (request, _reply, payload) => {
    const config = request.routeOptions.config;
    const verifier = verifierOf(verifiers, routeAuth(config, request.routeOptions.url));
    const wantsRaw = config.rawBody === true || verifier?.rawBody === true;
    if (!wantsRaw) return payload;
    const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 1024 * 1024;
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      throw new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than the ${limit}-byte limit`);
    }
    request.rawBody = await readBody(payload, limit);
    if (verifier?.rawBody) request.caller = await verifier.verify(request, ctx);
    const copy = new PassThrough() as PassThrough & { receivedEncodedLength?: number };
    copy.receivedEncodedLength = (payload as Readable & { receivedEncodedLength?: number }).receivedEncodedLength ?? request.rawBody.length;
    copy.end(request.rawBody);
    return copy;
  });
}
