import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBench } from '../../src/modules/demo/bench-seed.js';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { createHarness, createOrgFixture, ENGINE, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';
import { gridCustomer } from '../helpers/grid-factories.js';

let h: Harness;
let a: OrgFixture;
const DAY = 86_400_000;

beforeAll(async () => {
  // 2026-03-10 in New York: the month started on 2026-03-01 05:00 UTC.
  h = await createHarness({ now: '2026-03-10T12:00:00Z' });
  a = await createOrgFixture(h, { timezone: 'America/New_York' });
});
afterAll(async () => {
  await h.close();
});

async function orderAt(orgId: string, customerId: string, at: Date, status = 'paid') {
  const id = `${customerId.slice(0, 24)}${Math.random().toString(16).slice(2, 14).padEnd(12, '0')}`;
  await sql`insert into orders (org_id, id, external_id, customer_id, currency, total_minor, eligible_minor, status, placed_at, created_at, updated_at)
    values (${orgId}, ${id}, ${id}, ${customerId}, 'USD', 1000, 1000, ${status}, ${at}, ${at}, ${at})`.execute(h.ctx.db);
}

describe(`analytics cards on ${ENGINE}`, () => {
  it('computes the four cards, leaving excluded customers out', async () => {
    const now = h.clock.now().getTime();
    const set = (minor: number, orders: number, active: Date | null, excluded = false) => ({ minor, orders, active, excluded });
    const specs = [
      set(10_000, 2, new Date('2026-03-01T06:00:00Z')),
      set(5_001, 1, new Date('2026-03-01T04:00:00Z')),
      set(0, 0, new Date(now - DAY)),
      set(0, 0, null),
      set(999_999, 9, new Date(now - DAY), true),
    ];
    const ids: string[] = [];
    for (const s of specs) {
      const c = await gridCustomer(h, a.api, a.org.id, {}, { lastActivityAt: s.active, excluded: s.excluded });
      await h.ctx.db.updateTable('customers').set({ lifetime_value_minor: s.minor, orders_count: s.orders }).where('org_id', '=', a.org.id).where('id', '=', c.id).execute();
      ids.push(c.id);
    }
    // Retention: ordered 12-24 months ago -> ordered again in the last 12 months?
    await orderAt(a.org.id, ids[0]!, new Date(now - 500 * DAY));
    await orderAt(a.org.id, ids[0]!, new Date(now - 10 * DAY));
    await orderAt(a.org.id, ids[1]!, new Date(now - 400 * DAY));
    await orderAt(a.org.id, ids[2]!, new Date(now - 600 * DAY));
    await orderAt(a.org.id, ids[2]!, new Date(now - 5 * DAY), 'cancelled');
    await orderAt(a.org.id, ids[3]!, new Date(now - 800 * DAY));
    await orderAt(a.org.id, ids[3]!, new Date(now - 1 * DAY));
    await orderAt(a.org.id, ids[4]!, new Date(now - 500 * DAY));
    await orderAt(a.org.id, ids[4]!, new Date(now - 3 * DAY));
    const res = await a.api.get('/api/v1/analytics/customers');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      totalCustomers: 4,
      // Active this month = the customer did something since the 1st: only ids[3] ordered
      // (yesterday); ids[2]'s order was cancelled and ids[0]'s was in February.
      activeThisMonth: 1,
      customersWithOrders: 2,
      averageCustomerValue: { amount: '75.01', currency: 'USD' },
      retention: { rate: '33.3', returning: 1, base: 3 },
      live: true,
      asOf: h.clock.now().toISOString(),
    });
    const empty = await createOrgFixture(h);
    expect((await empty.api.get('/api/v1/analytics/customers')).json()).toMatchObject({ totalCustomers: 0, activeThisMonth: 0, averageCustomerValue: null, retention: null });
    const viewer = await staffClient(h, a.org.id, ['customers:read']);
    expect((await viewer.get('/api/v1/analytics/customers')).statusCode).toBe(200);
    const none = await staffClient(h, a.org.id, ['points:adjust']);
    expect((await none.get('/api/v1/analytics/customers')).statusCode).toBe(403);
  });

  it('counts as active this month what customers did, never what staff did', async () => {
    const f = await createOrgFixture(h, { timezone: 'UTC' });
    const now = h.clock.now();
    const c: Record<string, string> = {};
    for (const k of ['ordered', 'redeemedInStore', 'customAction', 'staffAdjusted', 'staffRedeemed', 'storeAdjusted', 'birthday', 'cancelled', 'excluded', 'idle']) {
      c[k] = (await gridCustomer(h, f.api, f.org.id, {}, { lastActivityAt: now })).id;
    }
    // Ledger entries as the points service writes them: who acted, what kind, what source.
    const entry = async (customerId: string, kind: string, actorType: string, sourceType: string | null = null) => {
      const id = `${customerId.slice(0, 20)}${Math.random().toString(16).slice(2, 14).padEnd(12, '0')}`;
      const points = kind === 'redeem' ? -10 : 10;
      await sql`insert into points_entries (org_id, id, customer_id, kind, points, active_delta, pending_delta, reason, explanation, source_type, actor_type, balance_after, created_at)
        values (${f.org.id}, ${id}, ${customerId}, ${kind}, ${points}, ${points}, 0, 'test', 'test', ${sourceType}, ${actorType}, 0, ${now})`.execute(h.ctx.db);
    };
    await orderAt(f.org.id, c.ordered!, now);
    await entry(c.redeemedInStore!, 'redeem', 'api_key', 'coupon');
    await entry(c.customAction!, 'earn_rule', 'api_key', 'custom_action');
    await entry(c.staffAdjusted!, 'manual_add', 'user');
    await entry(c.staffRedeemed!, 'redeem', 'user', 'coupon');
    await entry(c.storeAdjusted!, 'manual_add', 'api_key');
    await entry(c.birthday!, 'earn_rule', 'system', 'earning_rule');
    await orderAt(f.org.id, c.cancelled!, now, 'cancelled');
    await orderAt(f.org.id, c.excluded!, now);
    await h.ctx.db.updateTable('customers').set({ excluded_from_reports: true }).where('org_id', '=', f.org.id).where('id', '=', c.excluded!).execute();
    const cards = (await f.api.get('/api/v1/analytics/customers')).json();
    expect(cards).toMatchObject({ totalCustomers: 9, activeThisMonth: 3 });
    // Every one of them is "active" for the grid's 30-day filter (any ledger activity), and the
    // grid counts excluded customers too: the two rules the page explains next to each count.
    expect((await f.api.get('/api/v1/customers?activity=active')).json().total).toEqual({ value: 10, exact: true });
    expect((await f.api.get('/api/v1/customers?excluded=true')).json().total).toEqual({ value: 1, exact: true });
  });

  it('serves large organizations from a snapshot the refresh job keeps current', async () => {
    const big = await createOrgFixture(h);
    const insert = (from: number, to: number) =>
      sql`insert into customers (org_id, id, email, created_at, updated_at, last_activity_at)
        select ${big.org.id}, 'an-' || lpad(g::text, 7, '0'), 'an' || g || '@example.com', now(), now(), ${h.clock.now()}::timestamptz
        from generate_series(${from}::int, ${to}::int) g`.execute(h.ctx.db);
    await insert(1, 50_001);
    const first = (await big.api.get('/api/v1/analytics/customers')).json();
    // Nobody ordered or did anything: the last-activity column alone does not make a customer active.
    expect(first).toMatchObject({ totalCustomers: 50_001, activeThisMonth: 0, live: false });
    await insert(50_002, 50_010);
    expect((await big.api.get('/api/v1/analytics/customers')).json().totalCustomers).toBe(50_001);
    h.clock.advance(16 * 60 * 1000);
    expect((await big.api.get('/api/v1/analytics/customers')).json().totalCustomers).toBe(50_001);
    await h.worker.drain();
    const refreshed = (await big.api.get('/api/v1/analytics/customers')).json();
    expect(refreshed).toMatchObject({ totalCustomers: 50_010, live: false, asOf: h.clock.now().toISOString() });
  });

  it('seeds bench customers whose ledgers verify clean', async () => {
    const r = await seedBench(h.ctx, { customers: 400, orgSlug: 'bench-test', batchSize: 150 });
    expect(r.customers).toBe(400);
    const report = await verifyLedger(h.ctx.db, r.orgId);
    expect(report.customersChecked).toBe(400);
    expect(report.mismatches).toEqual([]);
    const stats = await h.ctx.db
      .selectFrom('customers')
      .select([
        sql<number>`count(distinct membership_type)::int8`.as('types'),
        sql<number>`count(*) filter (where tier_id is not null)::int8`.as('tiered'),
        sql<number>`count(*) filter (where phone is not null)::int8`.as('phones'),
        sql<number>`sum(orders_count)::int8`.as('orders'),
      ])
      .where('org_id', '=', r.orgId)
      .executeTakeFirstOrThrow();
    expect(stats.types).toBe(3);
    expect(stats.tiered).toBeGreaterThan(0);
    expect(stats.phones).toBeGreaterThan(200);
    expect(stats.orders).toBe(r.orders);
    const again = await seedBench(h.ctx, { customers: 100, orgSlug: 'bench-test' });
    expect((await verifyLedger(h.ctx.db, again.orgId)).customersChecked).toBe(500);
  });
});
