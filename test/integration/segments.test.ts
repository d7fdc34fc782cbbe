import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, createOrgFixture, ENGINE, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';
import { allPages, gridCustomer } from '../helpers/grid-factories.js';

let h: Harness;
let a: OrgFixture;
let b: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  b = await createOrgFixture(h);
});
afterAll(async () => {
  await h.close();
});

describe(`segments on ${ENGINE}`, () => {
  it('saves, lists, renames, changes and deletes a named filter', async () => {
    const created = await a.admin.post('/api/v1/segments', { name: 'Lapsed members', description: 'No activity for 30 days', filter: { membership: ['member'], activity: 'inactive' } });
    expect(created.statusCode, created.body).toBe(201);
    const seg = created.json();
    expect(seg).toMatchObject({ name: 'Lapsed members', description: 'No activity for 30 days', filter: { membership: ['member'], activity: 'inactive' } });
    expect((await a.api.get(`/api/v1/segments/${seg.id}`)).json()).toEqual(seg);
    const patched = await a.api.patch(`/api/v1/segments/${seg.id}`, { name: 'Sleeping members', filter: { membership: ['member', 'guest'] } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'Sleeping members', filter: { membership: ['member', 'guest'] } });
    for (const name of ['B', 'A', 'C']) expect((await a.api.post('/api/v1/segments', { name, filter: {} })).statusCode).toBe(201);
    const first = (await a.api.get('/api/v1/segments?limit=2')).json();
    expect(first.items.map((s: { name: string }) => s.name)).toEqual(['A', 'B']);
    const second = (await a.api.get(`/api/v1/segments?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((s: { name: string }) => s.name)).toEqual(['C', 'Sleeping members']);
    expect(second.nextCursor).toBeNull();
    expect((await a.api.delete(`/api/v1/segments/${seg.id}`)).statusCode).toBe(204);
    expect((await a.api.get(`/api/v1/segments/${seg.id}`)).statusCode).toBe(404);
    expect((await a.api.delete(`/api/v1/segments/${seg.id}`)).statusCode).toBe(404);
  });

  it('refuses duplicate names with 409 and bad filters with 400 naming the field', async () => {
    expect((await a.api.post('/api/v1/segments', { name: 'VIP', filter: {} })).statusCode).toBe(201);
    const dup = await a.api.post('/api/v1/segments', { name: 'vip', filter: {} });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'name' } });
    const cases: [unknown, string][] = [
      [{ name: '', filter: {} }, 'name'],
      [{ name: 'x'.repeat(101), filter: {} }, 'name'],
      [{ name: 'X' }, 'filter'],
      [{ name: 'X', filter: { membership: ['vip'] } }, 'filter.membership.0'],
      [{ name: 'X', filter: { activity: 'sometimes' } }, 'filter.activity'],
      [{ name: 'X', filter: { segment: '01900000-0000-7000-8000-000000000000' } }, 'filter.segment'],
      [{ name: 'X', filter: { colour: 'red' } }, 'filter.colour'],
    ];
    for (const [body, field] of cases) {
      const res = await a.api.post('/api/v1/segments', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.details.fields[0].field).toBe(field);
    }
  });

  it('filters the grid by segment, ANDed with the other filters', async () => {
    const f = await createOrgFixture(h);
    const member = await gridCustomer(h, f.api, f.org.id, { firstName: 'Maria', lastName: 'Member' }, { points: 500 });
    const guest = await gridCustomer(h, f.api, f.org.id, { firstName: 'Gus', lastName: 'Guest', accountState: 'guest' }, { membership: 'guest' });
    await gridCustomer(h, f.api, f.org.id, { firstName: 'Lou', lastName: 'Left' }, { membership: 'left' });
    const seg = (await f.api.post('/api/v1/segments', { name: 'Members and guests', filter: { membership: ['member', 'guest'] } })).json();
    expect((await allPages(f.api, `segment=${seg.id}`)).ids.sort()).toEqual([member.id, guest.id].sort());
    expect((await allPages(f.api, `segment=${seg.id}&search=gus`)).ids).toEqual([guest.id]);
    expect((await allPages(f.api, `segment=${seg.id}&membership=left`)).ids).toEqual([]);
    const page = (await f.api.get(`/api/v1/customers?segment=${seg.id}`)).json();
    expect(page.total).toEqual({ value: 2, exact: true });
  });

  it('keeps segments per organization and checks permissions', async () => {
    const seg = (await a.api.post('/api/v1/segments', { name: 'Mine', filter: {} })).json();
    expect((await b.api.get(`/api/v1/segments/${seg.id}`)).statusCode).toBe(404);
    expect((await b.api.patch(`/api/v1/segments/${seg.id}`, { name: 'Theirs' })).statusCode).toBe(404);
    expect((await b.api.delete(`/api/v1/segments/${seg.id}`)).statusCode).toBe(404);
    expect((await b.api.get(`/api/v1/customers?segment=${seg.id}`)).statusCode).toBe(404);
    expect((await b.api.get('/api/v1/segments')).json().items).toEqual([]);
    expect((await b.api.post('/api/v1/segments', { name: 'Mine', filter: {} })).statusCode).toBe(201);
    const viewer = await staffClient(h, a.org.id, ['customers:read']);
    expect((await viewer.get('/api/v1/segments')).statusCode).toBe(200);
    const denied = await viewer.post('/api/v1/segments', { name: 'Nope', filter: {} });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.details.permission).toBe('customers:write');
  });
});
