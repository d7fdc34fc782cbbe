import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  apiKeyClient,
  Client,
  createHarness,
  createOrgFixture,
  ENGINE,
  staffClient,
  type Harness,
  type OrgFixture,
} from '../helpers/harness.js';

let h: Harness;
let a: OrgFixture;
let b: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  b = await createOrgFixture(h);
});
afterAll(async () => h.close());

describe(`foundation on ${ENGINE}`, () => {
  it('answers health, readiness and metrics', async () => {
    expect((await h.app.inject('/healthz')).statusCode).toBe(200);
    const ready = await h.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready' });
    await a.admin.get('/api/v1/me');
    const metrics = await h.app.inject('/metrics');
    expect(metrics.body).toContain('patron_http_requests_total');
    expect(metrics.body).toContain('patron_http_request_duration_seconds_bucket');
    expect(metrics.body).toMatch(/patron_jobs\{status="queued"\}/);
  });

  it('publishes an OpenAPI 3.1 document listing the routes', async () => {
    const res = await h.app.inject('/api/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\.1\./);
    for (const path of ['/api/v1/auth/login', '/api/v1/me', '/api/v1/users', '/api/v1/api-keys', '/api/v1/api-keys/{id}']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect((await h.app.inject('/api/docs')).statusCode).toBeLessThan(400);
    const api = h.app.patronRoutes.filter((r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD');
    expect(api.length).toBeGreaterThan(10);
    const paths = doc.paths as Record<string, Record<string, { responses?: unknown }>>;
    const missing = api.filter((r) => !paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()]);
    expect(missing).toEqual([]);
    const refs = new Set<string>();
    JSON.stringify(doc, (k, v: unknown) => {
      if (k === '$ref' && typeof v === 'string') refs.add(v);
      return v;
    });
    const schemas = (doc as { components?: { schemas?: Record<string, unknown> } }).components?.schemas ?? {};
    expect([...refs].filter((r) => !schemas[r.replace('#/components/schemas/', '')])).toEqual([]);
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) expect(op.responses, `${method} ${path}`).toBeDefined();
    }
  });

  it('signs in, describes the caller, signs out', async () => {
    const me = await a.admin.get('/api/v1/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ role: 'admin', organization: { id: a.org.id } });
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: a.adminEmail, password: a.password } });
    const cookie = res.cookies.find((c) => c.name === 'patron_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    const c = new Client(h.app, { cookie: `patron_session=${cookie.value}`, 'x-csrf-token': (res.json() as { csrfToken: string }).csrfToken });
    expect((await c.post('/api/v1/auth/logout')).statusCode).toBe(204);
    expect((await c.get('/api/v1/me')).statusCode).toBe(401);
  });

  it('refuses a wrong password with 401 and throttles repeated failures with 429', async () => {
    const wrong = () =>
      h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: b.adminEmail, password: 'not-the-password' }, remoteAddress: '10.9.9.9' });
    const first = await wrong();
    expect(first.statusCode).toBe(401);
    expect(first.json().error.code).toBe('INVALID_CREDENTIALS');
    for (let i = 0; i < 4; i++) await wrong();
    const blocked = await wrong();
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
    // Even the right password waits out the window for that email.
    const right = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: b.adminEmail, password: b.password } });
    expect(right.statusCode).toBe(429);
    h.clock.advance(16 * 60 * 1000);
    const later = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: b.adminEmail, password: b.password } });
    expect(later.statusCode).toBe(200);
  });

  it('requires the CSRF header on cookie-authenticated changes', async () => {
    const noCsrf = new Client(h.app, { cookie: a.admin.headers.cookie! });
    const res = await noCsrf.patch('/api/v1/organization', { name: 'Renamed' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('CSRF_TOKEN_INVALID');
  });

  it('keeps organizations apart: org A admin and key get 404 for org B resources', async () => {
    const bUsers = (await b.admin.get('/api/v1/users')).json().items as { id: string }[];
    const bUserId = bUsers[0]!.id;
    const aKey = await apiKeyClient(h, a.org.id, ['customers:read']);
    const bKey = await apiKeyClient(h, b.org.id, ['customers:read']);
    const r1 = await a.admin.patch(`/api/v1/users/${bUserId}`, { disabled: true });
    expect(r1.statusCode).toBe(404);
    expect(r1.json().error.code).toBe('NOT_FOUND');
    expect((await a.admin.delete(`/api/v1/api-keys/${bKey.id}`)).statusCode).toBe(404);
    const aUsers = (await a.admin.get('/api/v1/users')).json().items as { email: string }[];
    expect(aUsers.map((u) => u.email)).not.toContain(b.adminEmail);
    const meA = (await aKey.client.get('/api/v1/me')).json();
    expect(meA.organization.id).toBe(a.org.id);
    // B's key still works: A's attempt changed nothing.
    expect((await bKey.client.get('/api/v1/me')).statusCode).toBe(200);
  });

  it('enforces permissions per route and names the missing one', async () => {
    const viewer = await staffClient(h, a.org.id, ['viewer']);
    const res = await viewer.patch('/api/v1/organization', { name: 'Nope' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'PERMISSION_DENIED', details: { permission: 'settings:manage' } });
    expect(res.json().error.message).toContain('settings:manage');
    expect((await viewer.get('/api/v1/users')).statusCode).toBe(403);
    const key = await apiKeyClient(h, a.org.id, ['customers:read']);
    expect((await key.client.patch('/api/v1/organization', { name: 'x' })).statusCode).toBe(403);
    expect((await key.client.get('/api/v1/api-keys')).statusCode).toBe(403);
  });

  it('creates API keys shown once, stores only a hash, and revoked keys get 401', async () => {
    const created = await a.admin.post('/api/v1/api-keys', { name: 'Storefront', scopes: ['support'] });
    expect(created.statusCode).toBe(201);
    const { apiKey, secret } = created.json() as { apiKey: { id: string; scopes: string[] }; secret: string };
    expect(apiKey.scopes).toContain('points:adjust');
    const stored = await h.ctx.db.selectFrom('api_keys').selectAll().where('id', '=', apiKey.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(secret.split('_').pop()!);
    const list = await a.admin.get('/api/v1/api-keys');
    expect(list.body).not.toContain(secret);
    const keyClient = new Client(h.app, { authorization: `Bearer ${secret}` });
    expect((await keyClient.get('/api/v1/me')).statusCode).toBe(200);
    expect((await a.admin.delete(`/api/v1/api-keys/${apiKey.id}`)).statusCode).toBe(200);
    const after = await keyClient.get('/api/v1/me');
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('API_KEY_REVOKED');
    const bogus = new Client(h.app, { authorization: 'Bearer pk_nope' });
    expect((await bogus.get('/api/v1/me')).statusCode).toBe(401);
  });

  it('answers malformed JSON with 400, bad fields naming the field, and 2 MB bodies with 413', async () => {
    const bad = await h.app.inject({
      method: 'PATCH',
      url: '/api/v1/organization',
      headers: { ...a.admin.headers, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_JSON');
    const field = await a.admin.patch('/api/v1/organization', { currency: 'DOLLARS' });
    expect(field.statusCode).toBe(400);
    expect(field.json().error.message).toContain('currency');
    const typed = await a.admin.post('/api/v1/invitations', { email: 'x@example.com', role: 12 });
    expect(typed.statusCode).toBe(400);
    expect(typed.json().error.details.fields[0].field).toBe('role');
    const big = await h.app.inject({
      method: 'PATCH',
      url: '/api/v1/organization',
      headers: { ...a.admin.headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const unknown = await a.admin.get('/api/v1/nothing-here');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('NOT_FOUND');
  });

  it('replays an Idempotency-Key with the first response and refuses a different body', async () => {
    const key = { 'idempotency-key': 'idem-invitation-create-1' };
    const body = { email: 'idem@example.com', role: 'staff' };
    const first = await a.admin.post('/api/v1/invitations', body, key);
    expect(first.statusCode).toBe(201);
    const again = await a.admin.post('/api/v1/invitations', body, key);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    const open = (await a.admin.get('/api/v1/invitations')).json() as { items: { email: string }[] };
    expect(open.items.filter((i) => i.email === body.email)).toHaveLength(1);
    const other = await a.admin.post('/api/v1/invitations', { ...body, email: 'other@example.com' }, key);
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The same key in another organization is a different key.
    const inB = await b.admin.post('/api/v1/invitations', body, key);
    expect(inB.statusCode).toBe(201);
  });

  it('switches organization for a user in several', async () => {
    const email = `multi-${Date.now()}@example.com`;
    // A joins by invitation as someone new; B's invitation is accepted while signed in.
    const toA = (await a.admin.post('/api/v1/invitations', { email, role: 'staff', permissions: ['viewer'] })).json() as { token: string };
    const joined = await h.app.inject({ method: 'POST', url: '/api/v1/invitations/register', payload: { token: toA.token, password: 'long-enough-password' } });
    expect(joined.statusCode).toBe(201);
    const toB = (await b.admin.post('/api/v1/invitations', { email, role: 'admin' })).json() as { token: string };
    const inA = new Client(h.app, { cookie: `patron_session=${joined.cookies.find((c) => c.name === 'patron_session')!.value}`, 'x-csrf-token': (joined.json() as { csrfToken: string }).csrfToken });
    expect((await inA.post('/api/v1/invitations/accept', { token: toB.token })).statusCode).toBe(200);
    expect((await inA.post('/api/v1/auth/switch-organization', { organizationId: a.org.id })).statusCode).toBe(200);
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'long-enough-password' } });
    const me = res.json() as { organizations: { id: string }[]; csrfToken: string };
    expect(me.organizations.map((o) => o.id).sort()).toEqual([a.org.id, b.org.id].sort());
    const cookie = res.cookies.find((c) => c.name === 'patron_session')!.value;
    const c = new Client(h.app, { cookie: `patron_session=${cookie}`, 'x-csrf-token': me.csrfToken });
    const switched = await c.post('/api/v1/auth/switch-organization', { organizationId: b.org.id });
    expect(switched.statusCode).toBe(200);
    expect(switched.json()).toMatchObject({ organization: { id: b.org.id }, role: 'admin' });
  });

  it('keeps org_id first in every tenant primary key, unique key and foreign key', async () => {
    const tenantTables = await sql<{ table_name: string }>`
      select c.table_name from information_schema.columns c
      join information_schema.tables t on t.table_name = c.table_name and t.table_schema = c.table_schema
      where c.table_schema = 'public' and c.column_name = 'org_id' and t.table_type = 'BASE TABLE'`.execute(h.ctx.db);
    expect(tenantTables.rows.length).toBeGreaterThan(3);
    const problems: string[] = [];
    for (const { table_name } of tenantTables.rows) {
      const idx = await sql<{ indexname: string; first_col: string; is_unique: boolean; is_primary: boolean }>`
        select i.relname as indexname, a.attname as first_col, ix.indisunique as is_unique, ix.indisprimary as is_primary
        from pg_index ix
        join pg_class t on t.oid = ix.indrelid
        join pg_class i on i.oid = ix.indexrelid
        left join pg_attribute a on a.attrelid = t.oid and a.attnum = ix.indkey[0]
        where t.relname = ${table_name} and ix.indisunique`.execute(h.ctx.db);
      if (!idx.rows.some((r) => r.is_primary)) problems.push(`${table_name}: no primary key`);
      for (const r of idx.rows) if (r.first_col !== 'org_id') problems.push(`${table_name}.${r.indexname} starts with ${r.first_col}`);
      const fks = await sql<{ conname: string; cols: string[]; ref: string }>`
        select con.conname, array(select a.attname from unnest(con.conkey) with ordinality k(n, o)
          join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.o)::text[] as cols,
          con.confrelid::regclass::text as ref
        from pg_constraint con join pg_class t on t.oid = con.conrelid
        where t.relname = ${table_name} and con.contype = 'f'`.execute(h.ctx.db);
      for (const fk of fks.rows) {
        // References to shared, non-tenant tables (organizations, users) need no org_id.
        if (!tenantTables.rows.some((t) => t.table_name === fk.ref)) continue;
        if (fk.cols[0] !== 'org_id') problems.push(`${table_name}.${fk.conname} (${fk.cols.join(',')}) -> ${fk.ref} lacks leading org_id`);
      }
    }
    expect(problems).toEqual([]);
  });
});
