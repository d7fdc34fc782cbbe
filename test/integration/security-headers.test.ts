import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { Metrics } from '../../src/http/metrics.js';
import { createHarness, createOrgFixture, ENGINE, type Harness, type OrgFixture } from '../helpers/harness.js';

let h: Harness;
let a: OrgFixture;
/** The same app as `npm start` serves: with the admin build (or its "being built" page). */
let withAdmin: FastifyInstance;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  withAdmin = await buildApp(h.ctx, { metrics: new Metrics(), serveAdmin: true });
});
afterAll(async () => {
  await withAdmin.close();
  await h.close();
});

function csp(res: LightMyRequestResponse): Map<string, string[]> {
  const header = String(res.headers['content-security-policy'] ?? '');
  const directives = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name, values);
  }
  return directives;
}

/** Headers every page must carry: no inline script, no framing, no sniffing, no referrer leak. */
function expectPageHeaders(res: LightMyRequestResponse): void {
  const policy = csp(res);
  expect(policy.get('script-src')).toEqual(["'self'"]);
  expect(policy.get('script-src-attr')).toEqual(["'none'"]);
  expect(policy.get('default-src')).toEqual(["'self'"]);
  expect(policy.get('object-src')).toEqual(["'none'"]);
  expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
}

/** Every <script> in the page loads a file: a policy without 'unsafe-inline' would block the rest. */
function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)].filter((m) => !/\bsrc\s*=/.test(m[1]!) || m[2]!.trim() !== '').map((m) => m[0]);
}

describe(`security headers on ${ENGINE}`, () => {
  it('API JSON replies carry nosniff and Cache-Control: no-store, signed in or not, success or error', async () => {
    const me = await a.admin.get('/api/v1/me');
    expect(me.statusCode).toBe(200);
    expect(me.headers['content-type']).toMatch(/^application\/json/);
    expect(me.headers['x-content-type-options']).toBe('nosniff');
    expect(me.headers['cache-control']).toBe('no-store');
    expect(me.headers['x-frame-options']).toBe('DENY');

    const anonymous = await h.app.inject({ method: 'GET', url: '/api/v1/customers' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['x-content-type-options']).toBe('nosniff');
    expect(anonymous.headers['cache-control']).toBe('no-store');

    const invalid = await a.api.post('/api/v1/customers', { email: 'not an email' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.headers['cache-control']).toBe('no-store');
    expect(invalid.headers['x-content-type-options']).toBe('nosniff');

    const missing = await a.api.get('/api/v1/no-such-route');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['cache-control']).toBe('no-store');
    expect(missing.headers['x-content-type-options']).toBe('nosniff');
  });

  it('the API docs page loads only its own scripts, and cannot be framed', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expectPageHeaders(page);
    expect(inlineScripts(page.body)).toEqual([]);
    const scripts = [...page.body.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      expect(src).not.toMatch(/^(https?:)?\/\//);
      const file = await h.app.inject({ method: 'GET', url: new URL(src, 'http://localhost/api/docs/').pathname });
      expect(file.statusCode, src).toBe(200);
      expect(file.headers['content-type']).toMatch(/javascript/);
      expect(file.headers['x-content-type-options']).toBe('nosniff');
    }
    // The document Swagger UI renders is the API's own.
    expect((await h.app.inject({ method: 'GET', url: '/api/docs/json' })).json()).toMatchObject({ openapi: '3.1.0' });
  });

  it('the admin app page has a policy without inline script and cannot be framed', async () => {
    for (const url of ['/', '/customers/some-id']) {
      const page = await withAdmin.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expectPageHeaders(page);
      expect(inlineScripts(page.body)).toEqual([]);
    }
  });
});
