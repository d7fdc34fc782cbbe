import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Security headers on every reply, from helmet:
 * - a Content-Security-Policy without inline script (the admin build and the API docs load
 *   only their own files), that no other site may frame (`frame-ancestors 'none'`, plus
 *   `X-Frame-Options: DENY` for older browsers);
 * - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` and helmet's other defaults.
 * API replies (JSON, CSV) are never stored by a browser or proxy: `Cache-Control: no-store`.
 *
 * Styles may be inline: Mantine and Swagger UI insert `<style>` elements at run time.
 * No `upgrade-insecure-requests`: Patron is often reached over plain HTTP on a private
 * address, where upgrading every asset request to HTTPS would break the page.
 *
 * The headers do not depend on the request, so helmet runs once, at startup, and each reply
 * gets the same list (running helmet per request, as its Fastify plugin does, re-parses the
 * policy every time: several percent of a small request's CPU).
 */
export const HELMET_OPTIONS: HelmetOptions = {
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
};

/** The headers helmet sets with these options, computed once. */
export function securityHeaders(options: HelmetOptions = HELMET_OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  const outcome: { error: Error | null } = { error: null };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) outcome.error = err instanceof Error ? err : new Error('helmet refused its options');
  });
  if (outcome.error) throw outcome.error;
  return headers;
}

export function registerSecurityHeaders(app: FastifyInstance): void {
  const headers = Object.entries(securityHeaders());
  app.addHook('onRequest', (request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const url = request.url;
    if (url.startsWith('/api/') && !url.startsWith('/api/docs') && !reply.hasHeader('cache-control')) {
      void reply.header('cache-control', 'no-store');
    }
    return payload;
  });
}
