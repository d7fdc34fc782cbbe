import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../src/errors.js';
import { buildApp } from '../../src/http/app.js';
import { Metrics } from '../../src/http/metrics.js';
import { callerOf, rawBodyOf, type RouteVerifier } from '../../src/http/security.js';
import { recordActivity } from '../../src/modules/activity/index.js';
import { MODULES } from '../../src/modules/index.js';
import { definePatronModule } from '../../src/modules/module.js';
import { createCustomer } from '../helpers/factories.js';
import { createHarness, createOrgFixture, unique, type Harness, type OrgFixture } from '../helpers/harness.js';

/**
 * Authentication per route, on an app built with the real modules plus a module that exists
 * only here: a webhook signed over its raw body, a pass token, a public route and a staff
 * route that reads its raw body.
 */

const SECRET = 'route-auth-test-signing-secret';
const sign = (body: string | Buffer): string => createHmac('sha256', SECRET).update(body).digest('base64');

let h: Harness;
let a: OrgFixture;
let app: FastifyInstance;
let handled: string[] = [];

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const signedWebhook: RouteVerifier = {
  rawBody: true,
  async verify(request) {
    const sent = request.headers['x-test-signature'];
    if (typeof sent !== 'string' || !sameText(sent, sign(rawBodyOf(request)))) {
      throw new AppError('UNAUTHENTICATED', 'x-test-signature does not match the body; sign the exact bytes sent with the shared secret');
    }
    return { orgId: a.org.id, actor: { type: 'integration', id: 'test-shop', name: 'Test platform (test-shop)' }, claims: { shop: 'test-shop' } };
  },
};

const passToken: RouteVerifier = {
  async verify(request) {
    const sent = request.headers['x-pass-token'];
    const [customerId, token] = typeof sent === 'string' ? sent.split(':') : [];
    if (!customerId || !token || !sameText(token, sign(customerId))) throw new AppError('UNAUTHENTICATED', 'x-pass-token is missing or not valid');
    return { orgId: a.org.id, actor: { type: 'customer', id: customerId, name: 'The customer' }, claims: { customerId } };
  },
};

const testModule = definePatronModule({
  name: 'route-auth-test',
  verifiers: { 'test-signed': signedWebhook, 'test-pass': passToken },
  routes: async (r) => {
    r.post(
      '/api/v1/test/webhooks/customer-note',
      {
        config: { auth: { verifier: 'test-signed' } },
        schema: { body: z.object({ customerId: z.string(), text: z.string() }) },
      },
      async (request) => {
        handled.push('webhook');
        const caller = callerOf(request);
        await recordActivity(h.ctx.db, {
          orgId: caller.orgId,
          customerId: request.body.customerId,
          type: 'test.webhook',
          actor: caller.actor,
          summary: request.body.text,
          at: h.clock.now(),
        });
        return { raw: rawBodyOf(request).toString('base64'), body: request.body, actor: caller.actor, claims: caller.claims, staff: request.auth !== null };
      },
    );
    r.get('/api/v1/test/pass', { config: { auth: { verifier: 'test-pass' } } }, async (request) => {
      handled.push('pass');
      return { actor: callerOf(request).actor };
    });
    r.get('/api/v1/test/public', { config: { auth: 'public' }, schema: { response: { 200: z.object({ ok: z.boolean() }) } } }, async () => ({ ok: true }));
    r.post(
      '/api/v1/test/raw',
      { config: { rawBody: true, permission: 'customers:write' }, bodyLimit: 1024, schema: { body: z.object({ text: z.string() }) } },
      async (request) => ({ raw: rawBodyOf(request).toString('base64'), text: request.body.text }),
    );
  },
});

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  app = await buildApp(h.ctx, { metrics: new Metrics(), serveAdmin: false, modules: [...MODULES, testModule] });
});
afterAll(async () => {
  await app.close();
  await h.close();
});

const WEBHOOK = '/api/v1/test/webhooks/customer-note';
const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });

describe('routes authenticated by a module verifier', () => {
  it('does not accept staff credentials instead of the signature', async () => {
    handled = [];
    const body = JSON.stringify({ customerId: 'c', text: 'hello' });
    const key = await post(WEBHOOK, body, { authorization: a.api.headers.authorization! });
    expect(key.statusCode).toBe(401);
    const session = await post(WEBHOOK, body, a.admin.headers);
    expect(session.statusCode).toBe(401);
    // The credentials sent alongside a valid signature are not read: the caller is the integration.
    const customer = await createCustomer(a.api);
    const ok = JSON.stringify({ customerId: customer.id, text: 'hello' });
    const both = await post(WEBHOOK, ok, { ...a.admin.headers, 'x-test-signature': sign(ok) });
    expect(both.statusCode).toBe(200);
    expect(both.json().staff).toBe(false);
    expect(handled).toEqual(['webhook']);
  });

  it('refuses a wrong signature with 401 before the body is parsed or validated', async () => {
    handled = [];
    const notJson = '{"customerId": "c", broken';
    const res = await post(WEBHOOK, notJson, { 'x-test-signature': sign('something else') });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('x-test-signature') });
    const invalid = JSON.stringify({ unknownField: true });
    expect((await post(WEBHOOK, invalid, { 'x-test-signature': sign(invalid + ' ') })).statusCode).toBe(401);
    expect((await post(WEBHOOK, invalid)).statusCode).toBe(401);
    // The same bodies correctly signed reach the parser and the schema.
    const parsed = await post(WEBHOOK, notJson, { 'x-test-signature': sign(notJson) });
    expect(parsed.statusCode).toBe(400);
    expect(parsed.json().error.code).toBe('INVALID_JSON');
    const validated = await post(WEBHOOK, invalid, { 'x-test-signature': sign(invalid) });
    expect(validated.statusCode).toBe(400);
    expect(validated.json().error.details.fields.map((f: { field: string }) => f.field)).toContain('unknownField');
    expect(handled).toEqual([]);
  });

  it('hands the handler the exact bytes that were signed, and the parsed body', async () => {
    const customer = await createCustomer(a.api);
    // Spacing, key order, escapes and multi-byte characters are kept as sent.
    const payload = `{ "text" : "caf\\u00e9 ☕ \\"quoted\\"",\n\t"customerId":"${customer.id}"   }`;
    const res = await post(WEBHOOK, payload, { 'x-test-signature': sign(payload) });
    expect(res.statusCode).toBe(200);
    const out = res.json();
    expect(Buffer.from(out.raw, 'base64').equals(Buffer.from(payload, 'utf8'))).toBe(true);
    expect(out.body).toEqual({ text: 'café ☕ "quoted"', customerId: customer.id });
    expect(out.claims).toEqual({ shop: 'test-shop' });
  });

  it('shows the integration in the customer timeline', async () => {
    const customer = await createCustomer(a.api);
    const text = `Note from the store ${unique('n')}`;
    const payload = JSON.stringify({ customerId: customer.id, text });
    expect((await post(WEBHOOK, payload, { 'x-test-signature': sign(payload) })).statusCode).toBe(200);
    const timeline = await a.admin.get(`/api/v1/customers/${customer.id}/activity`);
    expect(timeline.statusCode).toBe(200);
    const event = (timeline.json().items as { summary: string; actor: unknown }[]).find((e) => e.summary === text);
    expect(event?.actor).toEqual({ type: 'integration', id: 'test-shop', name: 'Test platform (test-shop)' });
  });

  it('verifies a token route without reading a body, and identifies the customer', async () => {
    handled = [];
    expect((await app.inject({ method: 'GET', url: '/api/v1/test/pass', headers: { authorization: a.api.headers.authorization! } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/test/pass', headers: { 'x-pass-token': 'cust_1:wrong' } })).statusCode).toBe(401);
    const res = await app.inject({ method: 'GET', url: '/api/v1/test/pass', headers: { 'x-pass-token': `cust_1:${sign('cust_1')}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json().actor).toEqual({ type: 'customer', id: 'cust_1', name: 'The customer' });
    expect(handled).toEqual(['pass']);
  });
});

describe('public and staff routes', () => {
  it('serves a public route without credentials, and still refuses bad ones sent to it', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/test/public' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    expect((await app.inject({ method: 'GET', url: '/api/v1/test/public', headers: { authorization: 'Bearer not-a-key' } })).statusCode).toBe(401);
  });

  it('keeps staff authentication, permissions and CSRF on a raw-body route', async () => {
    const payload = '{"text":"  exact  "}';
    expect((await post('/api/v1/test/raw', payload)).statusCode).toBe(401);
    expect((await post('/api/v1/test/raw', payload, { 'x-test-signature': sign(payload) })).statusCode).toBe(401);
    const { 'x-csrf-token': _csrf, ...cookieOnly } = a.admin.headers;
    expect((await post('/api/v1/test/raw', payload, cookieOnly)).statusCode).toBe(403);
    const res = await post('/api/v1/test/raw', payload, a.admin.headers);
    expect(res.statusCode).toBe(200);
    expect(Buffer.from(res.json().raw, 'base64').toString('utf8')).toBe(payload);
    expect(res.json().text).toBe('  exact  ');
    const big = JSON.stringify({ text: 'x'.repeat(2000) });
    const tooBig = await post('/api/v1/test/raw', big, a.admin.headers);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('still requires staff credentials on every existing API route, a signature is no substitute', async () => {
    const customer = await createCustomer(a.api);
    const payload = JSON.stringify({ externalId: unique('c') });
    for (const res of [
      await app.inject({ method: 'GET', url: '/api/v1/customers' }),
      await app.inject({ method: 'GET', url: `/api/v1/customers/${customer.id}`, headers: { 'x-pass-token': `cust_1:${sign('cust_1')}` } }),
      await post('/api/v1/customers', payload, { 'x-test-signature': sign(payload) }),
    ]) {
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/customers', headers: { authorization: a.api.headers.authorization! } })).statusCode).toBe(200);
  });

  it('documents each route by how it is authenticated', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const hook = doc.paths['/api/v1/test/webhooks/customer-note'].post;
    expect(hook.security).toEqual([]);
    expect(hook.responses['401'].description).toContain('test-signed');
    expect(hook.responses['403']).toBeUndefined();
    expect(JSON.stringify(hook.parameters ?? [])).not.toContain('idempotency-key');
    expect(doc.paths['/api/v1/test/public'].get.security).toEqual([]);
    const raw = doc.paths['/api/v1/test/raw'].post;
    expect(raw.security).toBeUndefined();
    expect(raw.responses['403'].description).toContain('customers:write');
  });

  it('refuses at startup a route naming a verifier no module registers, or staff rules on a verified route', async () => {
    const unknown = definePatronModule({
      name: 'unknown-verifier',
      routes: async (r) => {
        r.get('/api/v1/test/unknown', { config: { auth: { verifier: 'nobody' } } }, async () => ({}));
      },
    });
    await expect(buildApp(h.ctx, { metrics: new Metrics(), serveAdmin: false, modules: [unknown] })).rejects.toThrow(/verifier "nobody"/);
    const mixed = definePatronModule({
      name: 'mixed',
      verifiers: { v: passToken },
      routes: async (r) => {
        r.get('/api/v1/test/mixed', { config: { auth: { verifier: 'v' }, permission: 'customers:read' } }, async () => ({}));
      },
    });
    await expect(buildApp(h.ctx, { metrics: new Metrics(), serveAdmin: false, modules: [mixed] })).rejects.toThrow(/staff routes only/);
    expect(() => definePatronModule({ name: 'dup', jobs: {}, schedules: [{ jobType: 'missing', everyMs: 1000 }] })).toThrow(/no job handler/);
  });
});
