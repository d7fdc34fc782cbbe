import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { pendingMigrations, pingDatabase } from '../db/migrate.js';
import type { Metrics } from './metrics.js';

export async function registerSystemRoutes(app: FastifyInstance, ctx: AppContext, metrics: Metrics): Promise<void> {
  const hidden = { hide: true };
  app.get('/healthz', { config: { public: true }, schema: hidden }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { public: true }, schema: hidden }, async (_req, reply) => {
    try {
      await pingDatabase(ctx.db);
      const pending = await pendingMigrations(ctx.db);
      if (pending.length > 0) {
        return reply.status(503).send({ status: 'not_ready', reason: 'migrations pending', pending });
      }
      return { status: 'ready', database: ctx.database.kind };
    } catch {
      return reply.status(503).send({ status: 'not_ready', reason: 'database unreachable' });
    }
  });

  app.get('/metrics', { config: { public: true }, schema: hidden }, async (_req, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });

  app.get('/api/openapi.json', { config: { public: true }, schema: hidden }, async () => app.swagger());
}
