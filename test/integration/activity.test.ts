import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/context.js';
import { recordActivity } from '../../src/modules/activity/activity.repo.js';
import { apiKeyClient, createHarness, createOrgFixture, ENGINE, staffClient, type Client, type Harness, type OrgFixture } from '../helpers/harness.js';
import { adjust, createCustomer, order } from '../helpers/factories.js';
import { createReward, redeem } from '../helpers/rewards-factories.js';

let h: Harness;
let a: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
});
afterAll(async () => {
  await h.close();
});

interface Item {
  id: string;
  type: string;
  summary: string;
  actor: { type: string; id: string | null; name: string | null };
  payload: Record<string, unknown>;
  createdAt: string;
}

async function existingIds(orgId: string, customerId: string): Promise<string[]> {
  const rows = await h.ctx.db.selectFrom('activity_events').select('id').where('org_id', '=', orgId).where('customer_id', '=', customerId).execute();
  return rows.map((r) => r.id);
}

/** Pages through the timeline while `during` inserts events between (and alongside) page reads. */
async function pageAll(c: Client, customerId: string, limit: number, during: (page: number) => Promise<unknown>, query = ''): Promise<Item[]> {
  const seen: Item[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const url = `/api/v1/customers/${customerId}/activity?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`;
    const [res] = await Promise.all([c.get(url), during(page)]);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { items: Item[]; nextCursor: string | null };
    seen.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) return seen;
  }
  throw new Error('timeline did not end');
}

function strictlyDescending(items: Item[]): boolean {
  return items.every((e, i) => i === 0 || items[i - 1]!.createdAt > e.createdAt || (items[i - 1]!.createdAt === e.createdAt && items[i - 1]!.id > e.id));
}

describe(`activity timeline on ${ENGINE}`, () => {
  it('pages newest first without duplicates or gaps while events are being added (pinned clock: equal times)', async () => {
    const c = await createCustomer(a.api);
    for (let i = 0; i < 24; i++) await adjust(a.api, c.id, 'add', i + 1);
    const before = await existingIds(a.org.id, c.id);
    expect(before).toHaveLength(25);
    let added = 0;
    const items = await pageAll(a.api, c.id, 7, async () => {
      await Promise.all([adjust(a.api, c.id, 'add', 1), adjust(a.admin, c.id, 'add', 2)]);
      added += 2;
    });
    const ids = items.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(before.filter((id) => !ids.includes(id))).toEqual([]);
    expect(strictlyDescending(items)).toBe(true);
    expect(added).toBeGreaterThan(0);
    expect((await existingIds(a.org.id, c.id)).length).toBe(25 + added);
  });

  it('pages without duplicates or gaps while the clock moves and events land at older and newer times', async () => {
    const c = await createCustomer(a.api);
    for (let i = 0; i < 20; i++) {
      h.clock.advance(1000);
      await adjust(a.api, c.id, 'add', 5);
    }
    const before = await existingIds(a.org.id, c.id);
    const start = h.clock.now().getTime();
    const items = await pageAll(a.api, c.id, 6, async (page) => {
      h.clock.advance(1000);
      await adjust(a.api, c.id, 'add', 1);
      // An event written by a slow transaction that started earlier: it lands between existing ones.
      await recordActivity(h.ctx.db, { orgId: a.org.id, customerId: c.id, type: 'test.late', actor: SYSTEM_ACTOR, summary: 'late', at: new Date(start - page * 1500), payload: {} });
    });
    const ids = items.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(before.filter((id) => !ids.includes(id))).toEqual([]);
    expect(strictlyDescending(items)).toBe(true);
  });

  it('filters by exact types and prefixes, and refuses malformed filters and cursors', async () => {
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 100);
    await a.api.put(`/api/v1/customers/${c.id}/note`, { text: 'hello' });
    const reward = await createReward(a.api, { pointsCost: 10 });
    await redeem(a.api, c.id, reward.id);
    const types = async (q: string) => ((await a.api.get(`/api/v1/customers/${c.id}/activity?types=${q}`)).json().items as Item[]).map((e) => e.type);
    expect(await types('points.*')).toEqual(['points.adjusted']);
    expect((await types('note.updated,customer.created')).sort()).toEqual(['customer.created', 'note.updated']);
    expect((await types('reward.*,note.*')).sort()).toEqual(['note.updated', 'reward.redeemed']);
    expect(await types('points')).toEqual([]);
    for (const bad of ['points.%25', 'POINTS', 'a,,b', '*']) {
      const res = await a.api.get(`/api/v1/customers/${c.id}/activity?types=${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.message).toContain('types');
    }
    const badCursor = await a.api.get(`/api/v1/customers/${c.id}/activity?cursor=nope`);
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().error.message).toContain('cursor');
    const first = (await a.api.get(`/api/v1/customers/${c.id}/activity?limit=1&types=points.*,note.*`)).json();
    const second = (await a.api.get(`/api/v1/customers/${c.id}/activity?limit=1&types=points.*,note.*&cursor=${first.nextCursor}`)).json();
    expect([first.items[0].type, second.items[0].type]).toEqual(['note.updated', 'points.adjusted']);
    expect(second.nextCursor).toBeNull();
  });

  it('shows every action with its actor and needs customers:read within the organization', async () => {
    const f = await createOrgFixture(h);
    const c = await createCustomer(f.api);
    const staff = await staffClient(h, f.org.id, ['customers:read', 'customers:write', 'points:adjust', 'rewards:issue']);
    const store = await apiKeyClient(h, f.org.id, ['customers:read', 'customers:write']);
    await adjust(staff, c.id, 'add', 100);
    await staff.put(`/api/v1/customers/${c.id}/note`, { text: 'call back' });
    const reward = await createReward(f.api, { pointsCost: 20 });
    const { coupon } = (await redeem(staff, c.id, reward.id)).json();
    await f.api.post(`/api/v1/coupons/${coupon.id}/revoke`);
    await store.client.put(`/api/v1/customers/${c.id}/notification-preferences`, { marketing: true });
    await staff.post(`/api/v1/customers/${c.id}/referral/disable`);
    await staff.put(`/api/v1/customers/${c.id}/reporting`, { excluded: true });
    await order(f.api, c.id, '12.00');
    const items = (await staff.get(`/api/v1/customers/${c.id}/activity?limit=200`)).json().items as Item[];
    const seen = items.map((e) => [e.type, e.actor.type]).reverse();
    // Other features may add their own events around these (tiers on orders...): check the order of ours.
    const ours = seen.filter(([t]) => !t!.startsWith('tier.') && !t!.startsWith('membership.'));
    expect(ours).toEqual([
      ['customer.created', 'api_key'],
      ['points.adjusted', 'user'],
      ['note.updated', 'user'],
      ['reward.redeemed', 'user'],
      ['coupon.revoked', 'api_key'],
      ['preferences.updated', 'customer'],
      ['referral.link_disabled', 'user'],
      ['customer.reporting_excluded', 'user'],
      ['order.created', 'api_key'],
    ]);
    for (const e of items) {
      expect(e.summary.length).toBeGreaterThan(0);
      expect(e.actor.name).toBeTruthy();
    }
    expect(items.find((e) => e.type === 'points.adjusted')!.actor.id).not.toBeNull();
    const noRead = await apiKeyClient(h, f.org.id, ['customers:write']);
    const denied = await noRead.client.get(`/api/v1/customers/${c.id}/activity`);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.details.permission).toBe('customers:read');
    expect((await a.api.get(`/api/v1/customers/${c.id}/activity`)).statusCode).toBe(404);
  });
});

describe(`timeline references on ${ENGINE}`, () => {
  it('names the orders, tiers and customers its payloads refer to, only within the organization', async () => {
    const c = await createCustomer(a.api);
    const placed = (await order(a.api, c.id, '42.00')).json() as { id: string; externalId: string };
    const f = await createOrgFixture(h);
    const outsider = await createCustomer(f.api);
    const foreign = (await order(f.api, outsider.id, '10.00')).json() as { id: string };
    // An event that names an order of another organization and an id that names nothing.
    await recordActivity(h.ctx.db, { orgId: a.org.id, customerId: c.id, type: 'test.references', actor: SYSTEM_ACTOR, summary: 'references', payload: { orderId: foreign.id, qualifyingOrderId: placed.id, friendCustomerId: c.id, tierId: '00000000-0000-4000-8000-000000000000' }, at: new Date() });
    const items = (await a.api.get(`/api/v1/customers/${c.id}/activity?limit=50`)).json().items as (Item & { refs: { orders: Record<string, string>; tiers: Record<string, string>; customers: Record<string, string> } })[];
    const created = items.find((e) => e.type === 'order.created')!;
    expect(created.refs.orders).toEqual({ [placed.id]: placed.externalId });
    const refs = items.find((e) => e.type === 'test.references')!.refs;
    expect(refs.orders).toEqual({ [placed.id]: placed.externalId });
    expect(refs.orders[foreign.id]).toBeUndefined();
    expect(refs.tiers).toEqual({});
    expect(Object.keys(refs.customers)).toEqual([c.id]);
  });
});
