import { compileErrors, validate } from '@readme/openapi-parser';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/db/ids.js';
import { createHarness, createOrgFixture, ENGINE, login, staffClient, unique, type Harness, type OrgFixture } from '../helpers/harness.js';

/**
 * The published OpenAPI document against the running app: it passes a maintained OpenAPI
 * 3.1 validator, and every answer the app gives to a tour of hostile requests over every
 * documented operation is a status (and media type) the document lists for it.
 */

interface Operation {
  security?: unknown[];
  requestBody?: { content: Record<string, { schema?: { properties?: Record<string, unknown>; required?: string[] } }> };
  responses: Record<string, { description: string; content?: Record<string, unknown> }>;
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

let h: Harness;
let a: OrgFixture;
let doc: Doc;
let staffEmail: string;

const MUTATIONS = new Set(['post', 'put', 'patch', 'delete']);

function operations(): { method: string; path: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method, path, op })));
}

/** A concrete URL for a documented path: ids that exist nowhere, codes that match nothing. */
function urlOf(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => (/id$/i.test(name) ? newId() : `no-such-${name.toLowerCase()}`));
}

function mediaType(res: LightMyRequestResponse): string | null {
  const ct = res.headers['content-type'];
  return typeof ct === 'string' ? ct.split(';')[0]!.trim() : null;
}

/** Every answer must be a status the operation documents, with a documented media type. */
function expectDocumented(method: string, path: string, op: Operation, res: LightMyRequestResponse, probe: string): void {
  const where = `${probe}: ${method.toUpperCase()} ${path} answered ${res.statusCode} ${res.body.slice(0, 160)}`;
  expect(res.statusCode, where).toBeLessThan(500);
  const documented = op.responses[String(res.statusCode)];
  expect(documented, `${where}; documented: ${Object.keys(op.responses).join(', ')}`).toBeDefined();
  const type = mediaType(res);
  if (type && res.body.length > 0 && documented?.content) {
    expect(Object.keys(documented.content), where).toContain(type);
  }
}

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  staffEmail = String((await (await staffClient(h, a.org.id, [])).get('/api/v1/me')).json().user.email);
  doc = (await h.app.inject('/api/openapi.json')).json();
});
afterAll(async () => h.close());

describe(`the OpenAPI document on ${ENGINE}`, () => {
  it('passes a maintained OpenAPI 3.1 validator', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    // The validator dereferences in place: give it a copy.
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, compileErrors(result)).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('never lists 500 or a default answer, and describes every status', () => {
    for (const { method, path, op } of operations()) {
      expect(Object.keys(op.responses), `${method} ${path}`).not.toContain('500');
      expect(Object.keys(op.responses), `${method} ${path}`).not.toContain('default');
      for (const [status, r] of Object.entries(op.responses)) {
        expect(r.description, `${method} ${path} ${status}`).not.toBe('Default Response');
      }
    }
  });

  it('lists the statuses a route can answer from how it is configured', () => {
    const ops = (path: string, method: string) => Object.keys(doc.paths[path]![method]!.responses);
    // A read needing no permission: only input (400) and authentication (401) can fail.
    expect(ops('/api/v1/me', 'get')).toEqual(['200', '400', '401']);
    // A read of one resource that needs a permission.
    expect(ops('/api/v1/customers/{id}', 'get')).toEqual(['200', '400', '401', '403', '404']);
    // A change: idempotency and conflicts (409), body size (413) and type (415), business rules (422).
    expect(ops('/api/v1/customers/{id}/points/adjustments', 'post')).toEqual(['201', '400', '401', '403', '404', '409', '413', '415', '422']);
    // Sign-in is public but throttled.
    expect(ops('/api/v1/auth/login', 'post')).toContain('429');
    expect(doc.paths['/api/v1/auth/login']!.post!.security).toEqual([]);
    expect(ops('/api/v1/customers', 'get')).not.toContain('429');
  });

  it('documents the CSV export as text/csv, the import as a multipart upload with 415, and the referral link as public', async () => {
    const exportOp = doc.paths['/api/v1/customers/export.csv']!.get!;
    expect(Object.keys(exportOp.responses['200']!.content!)).toEqual(['text/csv']);
    const exported = await a.api.get('/api/v1/customers/export.csv');
    expect(exported.statusCode).toBe(200);
    expectDocumented('get', '/api/v1/customers/export.csv', exportOp, exported, 'export');
    expect(mediaType(exported)).toBe('text/csv');

    const importOp = doc.paths['/api/v1/imports']!.post!;
    const form = importOp.requestBody!.content['multipart/form-data']!.schema!;
    expect(Object.keys(importOp.requestBody!.content)).toEqual(['multipart/form-data']);
    expect(Object.keys(form.properties!).sort()).toEqual(['dryRun', 'file', 'kind']);
    expect(form.required!.sort()).toEqual(['file', 'kind']);
    expect(importOp.responses['415']).toBeDefined();
    // What the document describes is what the route takes: the form as documented works...
    const boundary = 'patronboundary';
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncustomers\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="dryRun"\r\n\r\ntrue\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\nContent-Type: text/csv\r\n\r\nexternalId,firstName\nopenapi-1,Ada\n\r\n` +
      `--${boundary}--\r\n`;
    const dry = await h.app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      headers: { ...a.api.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expect(dry.statusCode, dry.body).toBe(200);
    expectDocumented('post', '/api/v1/imports', importOp, dry, 'import dry run');
    // ...and JSON is refused with the documented 415.
    const json = await a.api.post('/api/v1/imports', { kind: 'customers' });
    expect(json.statusCode).toBe(415);
    expectDocumented('post', '/api/v1/imports', importOp, json, 'import as JSON');

    const referral = doc.paths['/r/{code}']!.get!;
    expect(referral.security).toEqual([]);
    const visit = await h.app.inject({ method: 'GET', url: '/r/no-such-code' });
    expect(visit.statusCode).not.toBe(401);
    expectDocumented('get', '/r/{code}', referral, visit, 'anonymous referral visit');
  });

  it('documents 404 where a query or body field names something that may not exist', async () => {
    for (const path of ['/api/v1/customers', '/api/v1/customers/export.csv']) {
      const res = await a.api.get(`${path}?segment=${newId()}`);
      expect(res.statusCode, path).toBe(404);
      expectDocumented('get', path, doc.paths[path]!.get!, res, 'unknown segment');
    }
    expect(doc.paths['/api/v1/orders']!.post!.responses['404']!.description).toContain('customerId');
    // A list that names nothing cannot answer 404.
    expect(doc.paths['/api/v1/rewards']!.get!.responses['404']).toBeUndefined();
  });

  it('answers a tour of hostile requests over every operation only with documented statuses', async () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(60);
    const seen403 = new Set<string>();
    const seen409 = new Set<string>();
    // Some routes end the session they are sent with (signing out): sign in again when needed.
    const sessions = new Map<string, Record<string, string>>();
    const signedIn = async (email: string) => {
      const known = sessions.get(email);
      if (known && (await h.app.inject({ url: '/api/v1/me', headers: known })).statusCode === 200) return known;
      const fresh = (await login(h, email)).headers;
      sessions.set(email, fresh);
      return fresh;
    };
    for (const { method, path, op } of ops) {
      const url = urlOf(path);
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      const mutation = MUTATIONS.has(method);
      const send = (headers: Record<string, string>, payload?: string | object, target = url) =>
        h.app.inject({ method: method.toUpperCase() as 'GET', url: target, headers, ...(payload !== undefined ? { payload } : {}) });
      const check = (res: LightMyRequestResponse, probe: string) => {
        expectDocumented(method, path, op, res, probe);
        if (res.statusCode === 403) seen403.add(`${method} ${path}`);
        return res;
      };

      // No credentials: every non-public operation answers 401.
      const anonymous = check(await send({}, mutation ? {} : undefined), 'anonymous');
      if (!isPublic) expect(anonymous.statusCode, `anonymous ${method} ${path}`).toBe(401);
      // Credentials that are not valid: 401, public routes included.
      expect(check(await send({ authorization: 'Bearer not-a-key' }, mutation ? {} : undefined), 'bad key').statusCode, `${method} ${path}`).toBe(401);
      const asAdmin = () => signedIn(a.adminEmail);
      // A NUL character in the query string.
      check(await send(await asAdmin(), mutation ? {} : undefined, `${url}?search=a%00b`), 'NUL in the query');
      // An admin and an API key with every permission, ids that do not exist, an empty body.
      check(await send(a.api.headers, mutation ? {} : undefined), 'API key, unknown ids');
      check(await send(await asAdmin(), mutation ? {} : undefined), 'admin, unknown ids');
      // Staff without permissions, and a session change without the CSRF header.
      if (!isPublic) {
        check(await send(await signedIn(staffEmail), mutation ? {} : undefined), 'no permissions');
        if (mutation) check(await send({ cookie: (await signedIn(staffEmail)).cookie! }, {}), 'no CSRF header');
      }
      if (!mutation) continue;
      const json = async () => ({ ...(await asAdmin()), 'content-type': 'application/json' });
      const op$ = `${method} ${path}`;
      // A route a verifier authenticates checks the signature on the exact bytes before it
      // reads them: an unsigned body is 401 whatever it holds.
      const verified = /could not be verified/.test(op.responses['401']?.description ?? '');
      expect(check(await send(await json(), '{"broken": '), 'invalid JSON').statusCode, op$).toBe(verified ? 401 : 400);
      expect(check(await send({ ...(await json()), 'content-type': 'application/xml' }, '<a/>'), 'XML body').statusCode, op$).toBe(verified ? 401 : 415);
      expect(check(await send(await json(), JSON.stringify({ big: 'x'.repeat(1024 * 1024 + 10) })), 'body over 1 MB').statusCode, op$).toBe(413);
      if (!isPublic) {
        // The same Idempotency-Key with another body.
        const key = { ...(await json()), 'idempotency-key': unique('openapi') };
        check(await send(key, JSON.stringify({ first: true })), 'first use of a key');
        const reused = check(await send(key, JSON.stringify({ second: true })), 'key reused with another body');
        if (reused.statusCode === 409) seen409.add(`${method} ${path}`);
      }
    }
    expect(seen409.size).toBeGreaterThan(0);
    // A key reused with another valid body: the documented 409.
    const op = doc.paths['/api/v1/organization']!.patch!;
    const key = { 'idempotency-key': unique('openapi-org') };
    expectDocumented('patch', '/api/v1/organization', op, await a.api.patch('/api/v1/organization', { name: 'Tour A' }, key), 'first use of a key');
    const reused = await a.api.patch('/api/v1/organization', { name: 'Tour B' }, key);
    expect(reused.statusCode).toBe(409);
    expectDocumented('patch', '/api/v1/organization', op, reused, 'key reused with another body');
    // Every operation that documents 403 was seen answering it.
    const listing403 = ops.filter(({ op }) => op.responses['403']).map(({ method, path }) => `${method} ${path}`);
    expect(listing403.filter((k) => !seen403.has(k))).toEqual([]);
  }, 120_000);
});
