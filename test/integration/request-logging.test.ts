import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { createLogger, prettyStream } from '../../src/logger.js';
import { createHarness, ENGINE, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

describe(`request logging on ${ENGINE}`, () => {
  it('logs API requests but not health checks', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', { destination: { write: (s: string) => void lines.push(s) } });
    const app = await buildApp({ ...h.ctx, logger }, { metrics: h.metrics, serveAdmin: false });
    try {
      for (const url of ['/healthz', '/readyz', '/healthz?probe=1']) expect((await app.inject({ method: 'GET', url })).statusCode).toBeLessThan(500);
      expect(lines).toEqual([]);
      expect((await app.inject({ method: 'GET', url: '/api/v1/tiers' })).statusCode).toBe(401);
      // One line per request, when it completes: what was asked, the answer and how long it took.
      const logged = lines.map((l) => JSON.parse(l) as { msg: string; reqId: string; req?: { method: string; url: string }; res?: { statusCode: number }; responseTime: number });
      expect(logged.map((l) => l.msg)).toEqual(['request completed']);
      expect(logged[0]!.req).toMatchObject({ method: 'GET', url: '/api/v1/tiers', remoteAddress: '127.0.0.1' });
      expect(logged[0]!.res!.statusCode).toBe(401);
      expect(logged[0]!.responseTime).toBeGreaterThan(0);
      expect(logged[0]!.reqId).toMatch(/^[0-9a-f-]{36}$/);
      expect(lines.join('')).not.toContain('not-a-key');
    } finally {
      await app.close();
    }
  });

  it('prints one readable line per request in a terminal, with redaction kept', async () => {
    const out: string[] = [];
    const logger = createLogger('info', { destination: prettyStream({ write: (s: string) => out.push(s) }), pretty: false });
    const app = await buildApp({ ...h.ctx, logger }, { metrics: h.metrics, serveAdmin: false });
    try {
      await app.inject({ method: 'GET', url: '/healthz' });
      await app.inject({ method: 'GET', url: '/api/v1/tiers', headers: { authorization: 'Bearer not-a-key' } });
      logger.info({ password: 'hunter2', jobs: 3 }, 'worker started');
      expect(out).toHaveLength(2);
      expect(out[0]).toMatch(/^\d\d:\d\d:\d\d INFO {2}GET \/api\/v1\/tiers 401 \d+ ms\n$/);
      expect(out[1]).toMatch(/^\d\d:\d\d:\d\d INFO {2}worker started password=\[redacted\] jobs=3\n$/);
    } finally {
      await app.close();
    }
  });
});
