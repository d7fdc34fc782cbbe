import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createHarness, createOrgFixture, ENGINE, TEST_PASSWORD, unique, type Client, type Harness, type OrgFixture } from '../helpers/harness.js';
import { adjust, createCustomer } from '../helpers/factories.js';

let h: Harness;
let a: OrgFixture;
let b: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  b = await createOrgFixture(h);
});
afterAll(async () => h.close());

interface ErrorReply {
  error: { code: string; message: string; details: { fields?: { field: string; problem: string }[]; in?: string } };
}
const fieldsOf = (body: string) => ((JSON.parse(body) as ErrorReply).error.details.fields ?? []).map((f) => f.field);

function upload(c: Client, fields: Record<string, string>, csv: string, fileName = 'data.csv') {
  const boundary = '----patron-hostile-boundary';
  let body = '';
  for (const [k, v] of Object.entries(fields)) body += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  body += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n`;
  body += `--${boundary}--\r\n`;
  return c.request('POST', '/api/v1/imports', Buffer.from(body, 'utf8'), { 'content-type': `multipart/form-data; boundary=${boundary}` });
}

async function count(table: 'customers' | 'imports' | 'points_entries' | 'orders', orgId: string): Promise<number> {
  const r = await sql<{ n: string }>`select count(*)::text as n from ${sql.table(table)} where org_id = ${orgId}`.execute(h.ctx.db);
  return Number(r.rows[0]!.n);
}

type OpenApi = {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; requestBody?: { content?: Record<string, { schema?: unknown }> } }>>;
  components?: { schemas?: Record<string, unknown> };
};

async function openApi(): Promise<OpenApi> {
  return (await h.app.inject('/api/openapi.json')).json();
}

/** A path with every {param} replaced by a well-formed id (validation runs before any lookup). */
const concrete = (path: string, id: string) => path.replace(/\{[^}]+\}/g, id);

describe(`hostile input on ${ENGINE}`, () => {
  describe('NUL characters (\\u0000) are refused with 400 naming the field, before anything is written', () => {
    it('in a JSON body string, at any depth', async () => {
      const before = await count('customers', a.org.id);
      const res = await a.api.post('/api/v1/customers', { externalId: 'nul-1', email: 'nul-1@example.com', firstName: 'Ann\u0000a' });
      expect(res.statusCode, res.body).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['firstName']);
      expect((res.json() as ErrorReply).error.message).toContain('NUL');
      expect(await count('customers', a.org.id)).toBe(before);

      const c = await createCustomer(a.api);
      const orders = await count('orders', a.org.id);
      const nested = await a.api.post('/api/v1/orders', {
        externalId: 'nul-order',
        customerId: c.id,
        total: { amount: '10.00', currency: 'USD' },
        discountCodes: ['OK', 'BAD\u0000CODE'],
      });
      expect(nested.statusCode, nested.body).toBe(400);
      expect(fieldsOf(nested.body)).toEqual(['discountCodes.1']);
      expect(await count('orders', a.org.id)).toBe(orders);

      const entries = await count('points_entries', a.org.id);
      const adj = await adjust(a.api, c.id, 'add', 5, { reason: 'bonus\u0000' });
      expect(adj.statusCode, adj.body).toBe(400);
      expect(fieldsOf(adj.body)).toEqual(['reason']);
      expect(await count('points_entries', a.org.id)).toBe(entries);
    });

    it('in the query string, including the streamed CSV export (no 200 that then drops)', async () => {
      const grid = await a.api.get('/api/v1/customers?search=a%00b');
      expect(grid.statusCode, grid.body).toBe(400);
      expect(fieldsOf(grid.body)).toEqual(['search']);
      expect((grid.json() as ErrorReply).error.details.in).toBe('querystring');

      const csv = await a.api.get('/api/v1/customers/export.csv?search=a%00b');
      expect(csv.statusCode, csv.body).toBe(400);
      expect(String(csv.headers['content-type'])).toContain('application/json');
      expect(fieldsOf(csv.body)).toEqual(['search']);
    });

    it('in a path parameter, also on public routes', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/r/abc%00def' });
      expect(res.statusCode, res.body).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['code']);
    });

    it('in the login email', async () => {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: `${a.adminEmail}\u0000`, password: TEST_PASSWORD } });
      expect(res.statusCode, res.body).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['email']);
    });

    it('in a CSV import cell (dry run and real run), naming the row and column', async () => {
      const imports = await count('imports', a.org.id);
      const customers = await count('customers', a.org.id);
      const csv = 'externalId,email,firstName\nimp-nul-1,imp-nul-1@example.com,Fine\nimp-nul-2,imp-nul-2@example.com,Bad\u0000Name\n';
      for (const dryRun of ['true', 'false']) {
        const res = await upload(a.api, { kind: 'customers', dryRun }, csv);
        expect(res.statusCode, res.body).toBe(400);
        const err = (res.json() as ErrorReply).error;
        expect(err.details.fields?.[0]?.field).toBe('file');
        expect(err.message).toContain('row 3, column firstName');
        expect(err.message).toContain('NUL');
      }
      const named = await upload(a.api, { kind: 'customers', dryRun: 'false' }, 'externalId\nimp-nul-3\n', 'bad\u0000name.csv');
      expect(named.statusCode, named.body).toBe(400);
      expect(fieldsOf(named.body)).toEqual(['file.filename']);
      expect(await count('imports', a.org.id)).toBe(imports);
      expect(await count('customers', a.org.id)).toBe(customers);
    });
  });

  describe('credentials are checked before the body', () => {
    it('answers 401 to an unauthenticated request whatever its body', async () => {
      const bodies: { payload: string; type: string }[] = [
        { payload: '{"email": 5}', type: 'application/json' },
        { payload: '{"externalId": "x", "unknownField": true}', type: 'application/json' },
        { payload: '{"firstName": "a\\u0000b"}', type: 'application/json' },
        { payload: '{not json', type: 'application/json' },
        { payload: 'externalId=x', type: 'application/x-www-form-urlencoded' },
      ];
      for (const { payload, type } of bodies) {
        const res = await h.app.inject({ method: 'POST', url: '/api/v1/customers', payload, headers: { 'content-type': type } });
        expect(res.statusCode, `${payload}: ${res.body}`).toBe(401);
        expect((res.json() as ErrorReply).error.code).toBe('UNAUTHENTICATED');
      }
      const badKey = await h.app.inject({ method: 'POST', url: '/api/v1/customers', payload: '{"email": 5}', headers: { 'content-type': 'application/json', authorization: 'Bearer pk_nope' } });
      expect(badKey.statusCode).toBe(401);
      // Signed in but without the CSRF header: 403, still before the body is looked at.
      const res = await h.app.inject({ method: 'PATCH', url: '/api/v1/program', payload: { earnRate: 'lots' }, headers: { cookie: a.admin.headers.cookie! } });
      expect(res.statusCode).toBe(403);
      expect((res.json() as ErrorReply).error.code).toBe('CSRF_TOKEN_INVALID');
    });
  });

  describe('unknown body fields are refused everywhere', () => {
    it('PATCH .../points/entries/{id} {"points": 999} is 400 naming points and changes nothing', async () => {
      const c = await createCustomer(a.api);
      const entry = (await adjust(a.api, c.id, 'add', 10)).json().entry as { id: string; points: number };
      const res = await a.api.patch(`/api/v1/customers/${c.id}/points/entries/${entry.id}`, { visibleToCustomer: false, points: 999 });
      expect(res.statusCode, res.body).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['points']);
      const after = (await a.api.get(`/api/v1/customers/${c.id}/points/entries`)).json().items[0];
      expect(after).toMatchObject({ id: entry.id, points: 10, visibleToCustomer: true });
    });

    it('nested objects are strict too', async () => {
      const c = await createCustomer(a.api);
      const res = await a.api.post('/api/v1/orders', { externalId: 'strict-nested', customerId: c.id, total: { amount: '10.00', currency: 'USD', cents: 1000 } });
      expect(res.statusCode, res.body).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['total.cents']);
    });

    it('every route that takes a JSON body refuses an unknown field by name, and documents additionalProperties: false', async () => {
      const doc = await openApi();
      const schemas = doc.components?.schemas ?? {};
      const resolve = (s: unknown): Record<string, unknown> => {
        const ref = (s as { $ref?: string } | undefined)?.$ref;
        return (ref ? schemas[ref.replace('#/components/schemas/', '')] : s) as Record<string, unknown>;
      };
      const id = '01900000-0000-7000-8000-000000000000';
      const checked: string[] = [];
      const problems: string[] = [];
      // Storefront routes answer only with the organization's publishable key (no staff credentials).
      const publishableKey = (await a.admin.get('/api/v1/storefront/settings')).json().publishableKey as string;
      const withKey = (url: string) => (url.startsWith('/api/storefront/') ? `${url}?key=${encodeURIComponent(publishableKey)}` : url);
      // Pass-link routes answer only with a real pass token in the path (the link on a member's pass).
      const member = await createCustomer(a.api);
      const issued = await a.api.post(`/api/v1/customers/${member.id}/wallet/pass`, {});
      expect(issued.statusCode, issued.body).toBeLessThan(300);
      const passToken = /\/c\/([^/?#]+)/.exec((issued.json() as { webAppUrl: string }).webAppUrl)![1]!;
      const urlOf = (path: string) => (path.startsWith('/api/v1/pass/{token}') ? path.replace('{token}', passToken) : concrete(path, id));
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          const json = op.requestBody?.content?.['application/json']?.schema;
          if (!json) continue;
          checked.push(`${method.toUpperCase()} ${path}`);
          const top = resolve(json);
          const variants = ((top.anyOf ?? top.oneOf) as unknown[] | undefined)?.map(resolve) ?? [top];
          for (const v of variants) {
            if (v.type === 'object' && v.additionalProperties !== false) problems.push(`${method} ${path}: additionalProperties is not false`);
          }
          const res = await a.admin.request(method.toUpperCase() as 'POST', withKey(urlOf(path)), { zzUnknownField: 1 });
          if (res.statusCode !== 400 || !fieldsOf(res.body).includes('zzUnknownField')) problems.push(`${method} ${path}: ${res.statusCode} ${res.body}`);
        }
      }
      expect(checked.length).toBeGreaterThan(30);
      expect(problems).toEqual([]);
    });
  });

  describe('cursors: only the ones a list handed out are accepted', () => {
    it('every paged list refuses forged, edited and foreign cursors with 400 cursor', async () => {
      const c = await createCustomer(a.api);
      for (let i = 0; i < 3; i++) {
        const r = await a.api.post('/api/v1/rewards', { name: `Cursor reward ${i}`, type: 'free_shipping', pointsCost: 10 });
        expect(r.statusCode, r.body).toBe(201);
      }
      const first = await a.api.get('/api/v1/rewards?limit=1');
      const genuine = first.json().nextCursor as string;
      expect(genuine).toMatch(/\./);
      const second = await a.api.get(`/api/v1/rewards?limit=1&cursor=${encodeURIComponent(genuine)}`);
      expect(second.statusCode, second.body).toBe(200);
      expect(second.json().items[0].id).not.toBe(first.json().items[0].id);

      // Another organization's cursor of the same list.
      for (let i = 0; i < 2; i++) await b.api.post('/api/v1/rewards', { name: `B reward ${i}`, type: 'free_shipping', pointsCost: 10 });
      const foreignOrg = (await b.api.get('/api/v1/rewards?limit=1')).json().nextCursor as string;
      const [payload] = genuine.split('.');
      const forged = [
        Buffer.from(JSON.stringify({ id: '00000000-0000-7000-8000-000000000000' })).toString('base64url'),
        Buffer.from(JSON.stringify({ t: '2026-01-01T00:00:00.000Z', id: '00000000-0000-7000-8000-000000000000' })).toString('base64url'),
        `${Buffer.from(JSON.stringify({ id: 'zzz' })).toString('base64url')}.${genuine.split('.')[1]}`,
        `${payload}.AAAAAAAAAAAAAAAAAAAAAA`,
        'not-a-cursor',
        genuine, // a rewards cursor is foreign to every other list
      ];

      const doc = await openApi();
      const lists = Object.entries(doc.paths).filter(([, ops]) => ops.get?.parameters?.some((p) => p.name === 'cursor' && p.in === 'query'));
      expect(lists.map(([p]) => p)).toEqual(
        expect.arrayContaining([
          '/api/v1/rewards',
          '/api/v1/earning-rules',
          '/api/v1/tiers',
          '/api/v1/segments',
          '/api/v1/imports',
          '/api/v1/customers',
          '/api/v1/customers/{id}/activity',
          '/api/v1/customers/{id}/points/entries',
          '/api/v1/customers/{id}/coupons',
          '/api/v1/customers/{id}/orders',
        ]),
      );
      const problems: string[] = [];
      for (const [path] of lists) {
        const url = concrete(path, c.id);
        for (const cursor of path === '/api/v1/rewards' ? [foreignOrg, ...forged.slice(0, -1)] : forged) {
          const res = await a.api.get(`${url}?cursor=${encodeURIComponent(cursor)}`);
          if (res.statusCode !== 400 || !fieldsOf(res.body).includes('cursor')) problems.push(`${path} ${cursor}: ${res.statusCode} ${res.body}`);
        }
      }
      expect(problems).toEqual([]);

      // A customer's list: another customer's cursor is foreign too.
      const other = await createCustomer(a.api);
      for (let i = 0; i < 2; i++) await adjust(a.api, other.id, 'add', 1);
      const otherCursor = (await a.api.get(`/api/v1/customers/${other.id}/points/entries?limit=1`)).json().nextCursor as string;
      expect((await a.api.get(`/api/v1/customers/${other.id}/points/entries?limit=1&cursor=${otherCursor}`)).statusCode).toBe(200);
      const mixed = await a.api.get(`/api/v1/customers/${c.id}/points/entries?limit=1&cursor=${otherCursor}`);
      expect(mixed.statusCode).toBe(400);
      expect(fieldsOf(mixed.body)).toEqual(['cursor']);
    });

    it('every paged list accepts the cursor it handed out (a second, different page)', async () => {
      const f = await createOrgFixture(h);
      const c = await createCustomer(f.api, { accountState: 'registered' });
      await createCustomer(f.api);
      await adjust(f.api, c.id, 'add', 1000);
      for (let i = 0; i < 2; i++) {
        expect((await f.api.post('/api/v1/orders', { externalId: unique('po'), customerId: c.id, total: { amount: '5.00', currency: 'USD' } })).statusCode).toBe(201);
        expect((await f.api.post('/api/v1/earning-rules', { kind: 'custom_action', key: `paged_${i}`, name: `Paged ${i}`, points: 1 })).statusCode).toBe(201);
        expect((await f.api.post('/api/v1/tiers', { name: `Paged tier ${i}`, threshold: 100 * (i + 1) })).statusCode).toBe(201);
        expect((await f.api.post('/api/v1/segments', { name: `Paged ${i}`, filter: {} })).statusCode).toBe(201);
        expect((await upload(f.api, { kind: 'customers', dryRun: 'false' }, `externalId\npaged-import-${i}\n`)).statusCode).toBe(202);
      }
      const reward = await f.api.post('/api/v1/rewards', { name: 'Paged reward', type: 'free_shipping', pointsCost: 10 });
      await f.api.post('/api/v1/rewards', { name: 'Paged reward 2', type: 'free_shipping', pointsCost: 10 });
      for (let i = 0; i < 2; i++) expect((await f.api.post(`/api/v1/customers/${c.id}/coupons`, { rewardId: reward.json().id, deductPoints: false })).statusCode).toBe(201);
      const lists = [
        '/api/v1/customers',
        '/api/v1/rewards',
        '/api/v1/earning-rules',
        '/api/v1/tiers',
        '/api/v1/segments',
        '/api/v1/imports',
        `/api/v1/customers/${c.id}/activity`,
        `/api/v1/customers/${c.id}/points/entries`,
        `/api/v1/customers/${c.id}/coupons`,
        `/api/v1/customers/${c.id}/orders`,
      ];
      for (const url of lists) {
        const first = await f.api.get(`${url}?limit=1`);
        expect(first.statusCode, `${url}: ${first.body}`).toBe(200);
        const cursor = first.json().nextCursor as string | null;
        expect(cursor, url).toBeTruthy();
        const next = await f.api.get(`${url}?limit=1&cursor=${encodeURIComponent(cursor!)}`);
        expect(next.statusCode, `${url}: ${next.body}`).toBe(200);
        expect(next.json().items[0].id, url).not.toBe(first.json().items[0].id);
      }
    });

    it('lists that are not paged refuse any cursor', async () => {
      for (const url of ['/api/v1/users', '/api/v1/api-keys']) {
        const res = await a.admin.get(`${url}?cursor=anything`);
        expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
        expect(fieldsOf(res.body)).toEqual(['cursor']);
      }
    });
  });
});
