import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/modules/demo/demo.service.js';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { sql } from 'kysely';
import { createHarness, ENGINE, login, type Client, type Harness } from '../helpers/harness.js';

let h: Harness;
const NOW = new Date('2026-11-24T12:00:00Z');
beforeAll(async () => {
  h = await createHarness({ now: NOW.toISOString() });
});
afterAll(async () => h.close());

describe(`demo organization on ${ENGINE}`, () => {
  it('creates logins, a program and customers with consistent histories, once', async () => {
    const first = await seedDemo(h.ctx);
    expect(first.created).toBe(true);
    await first.content();
    const again = await seedDemo(h.ctx);
    expect(again.created).toBe(false);
    const org = first.orgId;
    const count = async (table: 'customers' | 'tiers' | 'rewards' | 'earning_rules' | 'orders' | 'order_refunds' | 'coupons') =>
      (await h.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', org).executeTakeFirstOrThrow()).n;
    expect(await count('customers')).toBeGreaterThanOrEqual(200);
    expect(await count('tiers')).toBe(3);
    expect(await count('rewards')).toBe(3);
    expect(await count('earning_rules')).toBe(4);
    expect(await count('orders')).toBeGreaterThan(200);
    expect(await count('order_refunds')).toBeGreaterThan(0);
    expect(await count('coupons')).toBeGreaterThan(0);
    const completed = await h.ctx.db.selectFrom('referrals').select('id').where('org_id', '=', org).where('status', '=', 'completed').execute();
    expect(completed.length).toBeGreaterThan(0);
    const tiered = await h.ctx.db.selectFrom('customers').select('id').where('org_id', '=', org).where('tier_id', 'is not', null).execute();
    expect(tiered.length).toBeGreaterThan(10);
    expect((await verifyLedger(h.ctx.db, org)).mismatches).toEqual([]);
    const admin = await login(h, first.adminEmail, first.adminPassword);
    const grid = await admin.get('/api/v1/customers?limit=5&sort=-points');
    expect(grid.statusCode).toBe(200);
    expect(grid.json().items[0].points).toBeGreaterThan(0);
    await looksRealOnDayOne(org, admin);
  }, 240_000);
});

/** What a first look at the demo must not give away: future dates, timeline times that differ from the facts, empty cards, $0 spend tiers. */
async function looksRealOnDayOne(org: string, admin: Client) {
  const db = h.ctx.db;
  const latest = async (table: 'customers' | 'orders' | 'points_entries' | 'activity_events' | 'coupons', column: string) =>
    (await db.selectFrom(table).select(sql<Date | null>`max(${sql.ref(column)})`.as('v')).where('org_id', '=', org).executeTakeFirstOrThrow()).v;
  for (const [table, column] of [
    ['customers', 'created_at'],
    ['customers', 'last_activity_at'],
    ['customers', 'tier_achieved_at'],
    ['orders', 'placed_at'],
    ['orders', 'created_at'],
    ['points_entries', 'created_at'],
    ['activity_events', 'created_at'],
    ['coupons', 'created_at'],
  ] as const) {
    const v = await latest(table, column);
    expect(v, `${table}.${column}`).not.toBeNull();
    expect(v!.getTime(), `${table}.${column} is in the future`).toBeLessThanOrEqual(NOW.getTime());
  }
  // The timeline time of an order is its placed time.
  const orderEvents = await db
    .selectFrom('activity_events as a')
    .innerJoin('orders as o', (j) => j.onRef('o.org_id', '=', 'a.org_id').on(sql<boolean>`o.id = a.payload->>'orderId'`))
    .select(['a.created_at', 'o.placed_at', 'o.external_id'])
    .where('a.org_id', '=', org)
    .where('a.type', '=', 'order.created')
    .execute();
  expect(orderEvents.length).toBeGreaterThan(200);
  expect(orderEvents.filter((e) => e.created_at.getTime() !== e.placed_at.getTime()).map((e) => e.external_id)).toEqual([]);
  // Last activity is the newest ledger entry the customer caused or received.
  const mismatched = await db
    .selectFrom('customers as c')
    .select(['c.id'])
    .where('c.org_id', '=', org)
    .where((eb) =>
      eb(
        'c.last_activity_at',
        'is distinct from',
        eb
          .selectFrom('points_entries as e')
          .select(sql<Date>`max(e.created_at)`.as('m'))
          .whereRef('e.org_id', '=', 'c.org_id')
          .whereRef('e.customer_id', '=', 'c.id')
          .where('e.kind', 'not in', ['expiry', 'activation']),
      ),
    )
    .execute();
  expect(mismatched).toEqual([]);
  // Retention has a value: some customers already ordered more than a year ago.
  const cards = await admin.get('/api/v1/analytics/customers');
  expect(cards.statusCode, cards.body).toBe(200);
  expect(cards.json().retention).not.toBeNull();
  // Nobody who has spent nothing holds a spend tier earned by spend.
  const zeroSpend = await db
    .selectFrom('customers')
    .select(['id', 'tier_progress'])
    .where('org_id', '=', org)
    .where('tier_id', 'is not', null)
    .where('tier_manual', '=', false)
    .where('orders_count', '=', 0)
    .execute();
  expect(zeroSpend).toEqual([]);
}
