import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/modules/demo/demo.service.js';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { createHarness, ENGINE, login, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ now: '2026-11-24T12:00:00Z' });
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
  }, 240_000);
});
