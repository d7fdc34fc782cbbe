import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.js';
import type { PatronModule } from '../modules/module.js';

/**
 * Each module's routes in an encapsulated plugin without a prefix: URLs are exactly the ones
 * the module declares, and whatever a module registers (a body parser, a hook) stays in it.
 */
export async function registerModules(app: FastifyInstance, ctx: AppContext, modules: readonly PatronModule[]): Promise<void> {
  for (const mod of modules) {
    const routes = mod.routes;
    if (!routes) continue;
    await app.register(async (scope) => routes(scope.withTypeProvider<ZodTypeProvider>(), ctx));
  }
}
