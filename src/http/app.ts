import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.js';
import { isQuietRequest, loggedUrl, requestLines } from '../logger.js';
import { newId } from '../db/ids.js';
import { registerErrorHandling } from './error-handler.js';
import { registerSecurityHeaders } from './headers.js';
import { registerIdempotency } from './idempotency.js';
import { openApiTransform, openApiTransformObject } from './openapi.js';
import { registerInputGuard } from './input-guard.js';
import type { Metrics } from './metrics.js';
import { registerSecurity } from './security.js';
import { registerSystemRoutes } from './system.routes.js';
import { registerModules } from './modules.js';
import { MODULES } from '../modules/index.js';
import { buildModuleRegistry, type PatronModule } from '../modules/module.js';


export const ADMIN_DIST = fileURLToPath(new URL('../../admin/dist/', import.meta.url));

declare module 'fastify' {
  interface FastifyInstance {
    patronRoutes: { method: string; url: string }[];
  }
}

export interface BuildAppOptions {
  metrics: Metrics;
  /** Serve the admin UI build when present (off in API tests). */
  serveAdmin?: boolean;
  /** The feature modules whose routes and verifiers the app serves (all of them by default). */
  modules?: readonly PatronModule[];
}

export async function buildApp(ctx: AppContext, opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // pino.Logger and FastifyBaseLogger differ only in generics; the cast keeps the route types simple.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: ctx.logger as FastifyBaseLogger,
    // One line per request, written when it completes (below), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    trustProxy: ctx.config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : newId();
    },
    requestIdHeader: false,
    ajv: { customOptions: { coerceTypes: false } },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  opts.metrics.attachDatabase(ctx.db);
  const modules = opts.modules ?? MODULES;
  const registry = buildModuleRegistry(modules);

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  const lines = requestLines(ctx.logger);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    opts.metrics.httpRequests.inc({ method: request.method, route, status_code: String(reply.statusCode) });
    opts.metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    // Health checks are answered but not logged (load balancers call them every few seconds).
    if (lines.isLevelEnabled('info') && !isQuietRequest(request.url)) {
      lines.info(
        {
          reqId: request.id,
          req: { method: request.method, url: loggedUrl(request.url), remoteAddress: request.ip },
          res: { statusCode: reply.statusCode },
          responseTime: reply.elapsedTime,
        },
        'request completed',
      );
    }
  });

  // Every route registered, so tests can check the OpenAPI document lists them all.
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) routes.push({ method: m, url: r.url });
  });
  app.decorate('patronRoutes', routes);

  registerErrorHandling(app);
  registerSecurityHeaders(app);
  await app.register(fastifyCookie, { secret: ctx.config.sessionSecret });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Patron API',
        version: '1.0.0',
        description:
          'Customer management for loyalty programs. Authenticate with the session cookie (admin UI) or `Authorization: Bearer <API key>`. Mutations accept `Idempotency-Key`.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'patron_session' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: openApiTransform,
    transformObject: openApiTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list', validatorUrl: null } });

  registerSecurity(app, ctx, registry.verifiers);
  registerInputGuard(app);
  registerIdempotency(app, ctx);
  await registerSystemRoutes(app, ctx, opts.metrics);
  await registerModules(app, ctx, modules);

  const serveAdmin = opts.serveAdmin ?? true;
  if (serveAdmin) {
    // Registered even before the first build finishes (npm start builds it in the
    // background): files are looked up per request, so they are served once they exist.
    mkdirSync(ADMIN_DIST, { recursive: true });
    await app.register(fastifyStatic, {
      root: ADMIN_DIST,
      prefix: '/',
      wildcard: true,
      index: ['index.html'],
      // Hashed build assets never change; index.html must always be revalidated.
      cacheControl: false,
      setHeaders: (res, path) => {
        res.setHeader('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const wantsPage = request.method === 'GET' && !path.startsWith('/api/') && String(request.headers.accept ?? '').includes('text/html');
    if (wantsPage && serveAdmin) {
      if (existsSync(ADMIN_DIST + 'index.html')) return reply.type('text/html').sendFile('index.html', ADMIN_DIST);
      return reply
        .type('text/html')
        .send('<!doctype html><title>Patron</title><meta http-equiv="refresh" content="3"><p>The admin app is being built; this page reloads by itself.</p>');
    }
    return reply.status(404).send({
      error: { code: 'NOT_FOUND', message: `No route ${request.method} ${path}`, details: {} },
    });
  });
  await app.ready();
  return app;
}
