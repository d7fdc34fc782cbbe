import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Security headers on every reply, from @fastify/helmet:
 * - a Content-Security-Policy without inline script (the admin build and the API docs load
 *   only their own files), that no other site may frame (`frame-ancestors 'none'`, plus
 *   `X-Frame-Options: DENY` for older browsers);
 * - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` and helmet's other defaults.
 * API replies (JSON, CSV) are never stored by a browser or proxy: `Cache-Control: no-store`.
 *
 * Styles may be inline: Mantine and Swagger UI insert `<style>` elements at run time.
 * No `upgrade-insecure-requests`: Patron is often reached over plain HTTP on a private
 * address, where upgrading every asset request to HTTPS would break the page.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'base-uri': ["'self'"],
        'connect-src': ["'self'"],
        'font-src': ["'self'", 'data:'],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'img-src': ["'self'", 'data:'],
        'object-src': ["'none'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'", "'unsafe-inline'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/api/') && !path.startsWith('/api/docs') && !reply.hasHeader('cache-control')) {
      void reply.header('cache-control', 'no-store');
    }
    return payload;
  });
}
