import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, createOrgFixture, ENGINE, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';
import { allPages, gridCustomer, insertTier } from '../helpers/grid-factories.js';

let h: Harness;
let a: OrgFixture;
let b: OrgFixture;
const ids: Record<string, string> = {};
let gold = '';
let silver = '';
const DAY = 86_400_000;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  b = await createOrgFixture(h);
  const now = h.clock.now().getTime();
  gold = await insertTier(h, a.org.id, 'Gold', 1000);
  silver = await insertTier(h, a.org.id, 'Silver', 100);
  const add = async (key: string, input: Parameters<typeof gridCustomer>[3], set: Parameters<typeof gridCustomer>[4] = {}) => {
    ids[key] = (await gridCustomer(h, a.api, a.org.id, input, set)).id;
  };
  await add('alice', { firstName: 'Alice', lastName: 'Smith', phone: '+1 (555) 123-4567' }, { points: 300, tierProgress: 1200, tierId: gold, lastActivityAt: new Date(now - 2 * DAY) });
  await add('bob', { firstName: 'Bob', lastName: 'Smithers', email: 'bob@shop.example' }, { points: 100, tierProgress: 150, tierId: silver, lastActivityAt: new Date(now - 45 * DAY) });
  await add('carol', { firstName: 'Carol', lastName: 'Jones', accountState: 'guest' }, { points: 100, membership: 'guest', lastActivityAt: new Date(now - 29 * DAY) });
  await add('rosmary', { firstName: 'Rosmary', lastName: 'Quill' }, { points: 0, membership: 'left' });
  await add('noname', { firstName: null, lastName: null, email: 'zed@shop.example' }, { points: 100, excluded: true });
  await add('dave', { firstName: 'Dave', lastName: 'Brown', phone: '020 7946 0000' }, { points: 50, tierId: silver, tierProgress: 150, lastActivityAt: new Date(now - 31 * DAY) });
  for (let i = 0; i < 14; i++) {
    await add(`filler${i}`, { firstName: `Filler${String(i).padStart(2, '0')}`, lastName: 'Person' }, { points: i % 3 === 0 ? 100 : i * 10, tierProgress: i % 4, lastActivityAt: i % 2 ? new Date(now - i * DAY) : null });
  }
  await gridCustomer(h, b.api, b.org.id, { firstName: 'Alice', lastName: 'Smith' });
});
afterAll(async () => {
  await h.close();
});

const grid = async (query: string, f: OrgFixture = a) => {
  const res = await f.api.get(`/api/v1/customers?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: { id: string; name: string; [k: string]: unknown }[]; nextCursor: string | null; total: { value: number; exact: boolean } | null };
};
const names = async (query: string) => (await allPages(a.api, query)).ids.map((id) => Object.entries(ids).find(([, v]) => v === id)?.[0] ?? id).sort();

describe(`customer grid on ${ENGINE}`, () => {
  it('lists the columns of the grid with an exact total', async () => {
    const r = await grid('search=alice');
    expect(r.total).toEqual({ value: 1, exact: true });
    expect(r.items[0]).toMatchObject({
      id: ids.alice,
      name: 'Alice Smith',
      membershipType: 'member',
      accountState: 'registered',
      points: 300,
      tier: { id: gold, name: 'Gold' },
      tierProgress: 1200,
      birthday: null,
      excludedFromReports: false,
    });
    expect(Object.keys(r.items[0]!)).toEqual(expect.arrayContaining(['email', 'tierUpdatedAt', 'updatedAt', 'lastActivityAt', 'createdAt', 'phone']));
    expect((await grid('')).total).toEqual({ value: 20, exact: true });
  });

  it('searches a substring of name, email and phone (3+ characters) and a prefix for 1-2 characters', async () => {
    expect(await names('search=mith')).toEqual(['alice', 'bob']);
    expect(await names('search=ALICE%20SM')).toEqual(['alice']);
    expect(await names('search=shop.exam')).toEqual(['bob', 'noname']);
    expect(await names('search=555-123')).toEqual(['alice']);
    expect(await names('search=5551234567')).toEqual(['alice']);
    expect(await names('search=7946%200')).toEqual(['dave']);
    // Short terms match the start of first name, last name, email or phone digits only.
    expect(await names('search=sm')).toEqual(['alice', 'bob']);
    expect(await names('search=ro')).toEqual(['rosmary']);
    expect(await names('search=z')).toEqual(['noname']);
    expect(await names('search=02')).toEqual(['dave']);
    // LIKE wildcards in the term are literal.
    expect(await names('search=%25%25%25')).toEqual([]);
    expect(await names('search=_')).toEqual([]);
  });

  it('filters by membership, tier, activity, account state, exclusion, and combines them with AND', async () => {
    expect(await names('membership=left')).toEqual(['rosmary']);
    expect(await names('membership=guest,left')).toEqual(['carol', 'rosmary']);
    expect(await names(`tier=${silver}`)).toEqual(['bob', 'dave']);
    expect(await names(`tier=${gold},${silver}`)).toEqual(['alice', 'bob', 'dave']);
    expect((await names('tier=none')).length).toBe(17);
    expect(await names(`tier=none,${gold}&search=smith`)).toEqual(['alice']);
    // Active = any activity in the last 30 days (29 days ago is active, 31 is not; never is inactive).
    const active = await names('activity=active');
    expect(active).toEqual(expect.arrayContaining(['alice', 'carol']));
    expect(active).not.toContain('dave');
    expect(active).not.toContain('bob');
    expect(active.length).toBe(2 + 7); // alice, carol and the fillers active 1, 3, ..., 13 days ago
    expect((await names('activity=inactive')).length).toBe(20 - active.length);
    expect(await names('accountState=guest')).toEqual(['carol']);
    expect(await names('excluded=true')).toEqual(['noname']);
    expect((await names('excluded=false')).length).toBe(19);
    expect(await names('membership=member&activity=active&search=smith')).toEqual(['alice']);
  });

  it.each(['name', 'points', 'tierProgress', 'lastActivity', 'created'])('sorts by %s both ways with an id tiebreak, paging without skip or repeat', async (key) => {
    const rows = await h.ctx.db
      .selectFrom('customers')
      .select(['id', 'points_active', 'tier_progress', 'last_activity_at', 'created_at', 'first_name', 'last_name', 'email'])
      .where('org_id', '=', a.org.id)
      .execute();
    const keyOf = (r: (typeof rows)[number]): string | number => {
      switch (key) {
        case 'name':
          return ([r.first_name, r.last_name].filter(Boolean).join(' ').trim() || r.email || '').toLowerCase();
        case 'points':
          return r.points_active;
        case 'tierProgress':
          return r.tier_progress;
        case 'lastActivity':
          return r.last_activity_at ? r.last_activity_at.getTime() : -Infinity;
        default:
          return r.created_at.getTime();
      }
    };
    const cmp = (x: (typeof rows)[number], y: (typeof rows)[number]) => {
      const kx = keyOf(x);
      const ky = keyOf(y);
      if (kx !== ky) return kx < ky ? -1 : 1;
      return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
    };
    const asc = [...rows].sort(cmp).map((r) => r.id);
    const up = await allPages(a.api, `sort=${key}`, 3);
    expect(up.ids).toEqual(asc);
    expect(up.pages).toBe(7);
    const down = await allPages(a.api, `sort=-${key}`, 4);
    expect(down.ids).toEqual([...asc].reverse());
  });

  it('never skips or repeats a row while customers are added between pages', async () => {
    const before = new Set((await allPages(a.api, 'sort=name', 50)).ids);
    const seen: string[] = [];
    let cursor: string | null = null;
    let i = 0;
    do {
      const r = await grid(`sort=name&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...r.items.map((x) => x.id));
      cursor = r.nextCursor;
      // Names sorting before and after the current position, and one tying with the last row.
      await gridCustomer(h, a.api, a.org.id, { firstName: 'Aaron', lastName: `New${i}` });
      await gridCustomer(h, a.api, a.org.id, { firstName: 'Zach', lastName: `New${i}` });
      const last = r.items[r.items.length - 1];
      if (last) await gridCustomer(h, a.api, a.org.id, { firstName: last.name, lastName: null, email: null });
      i++;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) expect(seen).toContain(id);
    await h.ctx.db.deleteFrom('activity_events').where('org_id', '=', a.org.id).where('customer_id', 'not in', [...before]).execute();
    await h.ctx.db.deleteFrom('customers').where('org_id', '=', a.org.id).where('id', 'not in', [...before]).execute();
  });

  it('gives the total on the first page only, exact up to 10,000 and an estimate beyond', async () => {
    const first = await grid('limit=5');
    expect(first.total).toEqual({ value: 20, exact: true });
    const second = await grid(`limit=5&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.total).toBeNull();
    const big = await createOrgFixture(h);
    await sql`insert into customers (org_id, id, email, first_name, created_at, updated_at)
      select ${big.org.id}, 'big-' || lpad(g::text, 6, '0'), 'big' || g || '@example.com', 'Big', now(), now() from generate_series(1, 10050) g`.execute(h.ctx.db);
    await sql`analyze customers`.execute(h.ctx.db);
    const r = await grid('limit=1', big);
    expect(r.total!.exact).toBe(false);
    expect(r.total!.value).toBeGreaterThan(10_000);
    const few = await grid('limit=1&search=big10049', big);
    expect(few.total).toEqual({ value: 1, exact: true });
  });

  it('refuses bad parameters with 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['sort=email', 'sort'],
      ['membership=vip', 'membership'],
      ['activity=sometimes', 'activity'],
      ['limit=500', 'limit'],
      ['excluded=maybe', 'excluded'],
      ['cursor=not-a-cursor', 'cursor'],
      ['segment=nope', 'segment'],
    ];
    for (const [q, field] of cases) {
      const res = await a.api.get(`/api/v1/customers?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.message).toContain(field);
    }
    const first = await grid('sort=name&limit=2');
    const mixed = await a.api.get(`/api/v1/customers?sort=points&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().error.message).toContain('sort order');
  });

  it('keeps organizations apart and requires customers:read', async () => {
    const other = await grid('', b);
    expect(other.total).toEqual({ value: 1, exact: true });
    expect(other.items[0]!.id).not.toBe(ids.alice);
    const staff = await staffClient(h, a.org.id, ['points:adjust']);
    const res = await staff.get('/api/v1/customers');
    expect(res.statusCode).toBe(403);
    expect(res.json().error.details.permission).toBe('customers:read');
    const viewer = await staffClient(h, a.org.id, ['customers:read']);
    expect((await viewer.get('/api/v1/customers?limit=1')).statusCode).toBe(200);
  });
});
