import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireCoupons } from '../../src/modules/rewards/rewards.jobs.js';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { createHarness, createOrgFixture, ENGINE, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';
import { adjust, balances, createCustomer, order } from '../helpers/factories.js';
import { createReward, redeem, timelineRows } from '../helpers/rewards-factories.js';

let h: Harness;
let a: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
});
afterAll(async () => {
  const report = await verifyLedger(h.ctx.db, null);
  expect(report.mismatches).toEqual([]);
  await h.close();
});

const CODE = /^[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$/;

async function allocationsOf(orgId: string, entryId: string) {
  const rows = await h.ctx.db
    .selectFrom('points_allocations as al')
    .innerJoin('points_lots as l', (j) => j.onRef('l.org_id', '=', 'al.org_id').onRef('l.id', '=', 'al.lot_id'))
    .select(['al.points', 'l.points as lot_points', 'l.id as lot_id'])
    .where('al.org_id', '=', orgId)
    .where('al.entry_id', '=', entryId)
    .execute();
  return rows.map((r) => [r.lot_points, r.points]).sort((x, y) => x[0]! - y[0]!);
}

describe(`rewards catalogue on ${ENGINE}`, () => {
  it('creates, lists, changes and deletes rewards; settings:manage to change, customers:read to list', async () => {
    const r = await a.admin.post('/api/v1/rewards', {
      name: '10% off',
      type: 'percentage',
      pointsCost: 200,
      percentOff: '10',
      minimumOrder: { amount: '20.00', currency: 'USD' },
      couponValidityDays: 30,
      codePrefix: 'save',
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ type: 'percentage', percentOff: '10', value: null, minimumOrder: { amount: '20.00', currency: 'USD' }, codePrefix: 'SAVE', active: true });
    const id = r.json().id;
    const variable = await createReward(a.api, { type: 'variable', pointsCost: 100, value: { amount: '1.00', currency: 'USD' }, maxPoints: 1000 });
    const viewer = await staffClient(h, a.org.id, ['customers:read']);
    const list = await viewer.get('/api/v1/rewards?limit=1');
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(1);
    const next = await viewer.get(`/api/v1/rewards?limit=1&cursor=${list.json().nextCursor}`);
    expect(next.json().items[0].id).not.toBe(list.json().items[0].id);
    const denied = await viewer.post('/api/v1/rewards', { name: 'x', type: 'free_shipping', pointsCost: 10 });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toContain('settings:manage');

    const patched = await a.api.patch(`/api/v1/rewards/${id}`, { percentOff: '12.5', active: false });
    expect(patched.json()).toMatchObject({ percentOff: '12.5', active: false });
    expect((await a.api.get('/api/v1/rewards?active=false')).json().items.map((x: { id: string }) => x.id)).toEqual([id]);
    const typeChange = await a.api.patch(`/api/v1/rewards/${id}`, { type: 'fixed_amount' });
    expect(typeChange.statusCode).toBe(400);
    expect(typeChange.json().error.message).toContain('type');
    expect((await a.api.delete(`/api/v1/rewards/${variable.id}`)).statusCode).toBe(204);
    expect((await a.api.get(`/api/v1/rewards/${variable.id}`)).statusCode).toBe(404);
    const b = await createOrgFixture(h);
    expect((await b.api.get(`/api/v1/rewards/${id}`)).statusCode).toBe(404);
    expect((await b.api.patch(`/api/v1/rewards/${id}`, { active: true })).statusCode).toBe(404);
  });

  it('refuses a reward whose fields do not fit its type, naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x', type: 'fixed_amount', pointsCost: 10 }, 'value'],
      [{ name: 'x', type: 'percentage', pointsCost: 10 }, 'percentOff'],
      [{ name: 'x', type: 'percentage', pointsCost: 10, percentOff: '101' }, 'percentOff'],
      [{ name: 'x', type: 'free_product', pointsCost: 10 }, 'productRef'],
      [{ name: 'x', type: 'variable', pointsCost: 10 }, 'value'],
      [{ name: 'x', type: 'fixed_amount', pointsCost: 10, value: { amount: '5.00', currency: 'USD' }, percentOff: '5' }, 'percentOff'],
      [{ name: 'x', type: 'fixed_amount', pointsCost: 0, value: { amount: '5.00', currency: 'USD' } }, 'pointsCost'],
      [{ name: 'x', type: 'gift_card', pointsCost: 10 }, 'type'],
      [{ name: 'x', type: 'fixed_amount', pointsCost: 10, value: { amount: '5.001', currency: 'USD' } }, 'value.amount'],
    ];
    for (const [body, field] of cases) {
      const res = await a.api.post('/api/v1/rewards', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.message).toContain(field);
    }
    const eur = await a.api.post('/api/v1/rewards', { name: 'x', type: 'fixed_amount', pointsCost: 10, value: { amount: '5.00', currency: 'EUR' } });
    expect(eur.statusCode).toBe(422);
    expect(eur.json().error.message).toContain('USD');
  });
});

describe(`redemptions and coupons on ${ENGINE}`, () => {
  it('redeems on behalf of a member: deducts per lot (earliest expiry first), issues a readable coupon, records it everywhere', async () => {
    const f = await createOrgFixture(h);
    const c = await createCustomer(f.api);
    await adjust(f.api, c.id, 'add', 100);
    expect((await f.api.patch('/api/v1/program', { expiryPolicy: 'days_after_earning', expiryDays: 30 })).statusCode).toBe(200);
    await adjust(f.api, c.id, 'add', 40);
    const reward = await createReward(f.api, { pointsCost: 50, couponValidityDays: 14 });
    const res = await redeem(f.admin, c.id, reward.id);
    expect(res.statusCode, res.body).toBe(201);
    const { coupon, balances: after } = res.json();
    expect(coupon).toMatchObject({ status: 'active', pointsCost: 50, issuedVia: 'redemption', value: { amount: '5.00', currency: 'USD' }, reward: { id: reward.id, type: 'fixed_amount' } });
    expect(coupon.code).toMatch(CODE);
    expect(coupon.issuedBy.type).toBe('user');
    expect(Date.parse(coupon.expiresAt) - Date.parse(coupon.createdAt)).toBe(14 * 86_400_000);
    expect(after).toMatchObject({ active: 90, redeemed: 50 });
    const entry = (await f.api.get(`/api/v1/customers/${c.id}/points/entries?kinds=redeem`)).json().items[0];
    expect(entry).toMatchObject({ kind: 'redeem', points: -50, source: { type: 'coupon', id: coupon.id } });
    expect(await allocationsOf(f.org.id, entry.id)).toEqual([[40, -40], [100, -10]]);
    const events = await timelineRows(h, f.org.id, c.id);
    const redeemed = events.find((e) => e.type === 'reward.redeemed')!;
    expect(redeemed.summary).toContain(coupon.code);
    expect(redeemed.actor_type).toBe('user');
    const outbound = await h.ctx.db.selectFrom('outbound_events').selectAll().where('org_id', '=', f.org.id).where('type', '=', 'reward.redeemed').execute();
    expect(outbound).toHaveLength(1);
    expect(outbound[0]!.payload).toMatchObject({ customerId: c.id, couponId: coupon.id, rewardId: reward.id, points: 50 });
    expect(Object.keys(outbound[0]!.payload as object).sort()).toEqual(['couponId', 'customerId', 'issuedVia', 'points', 'rewardId']);
    expect((await f.api.get(`/api/v1/coupons/${coupon.id}`)).json()).toMatchObject({ id: coupon.id, code: coupon.code, status: 'active' });

    const tooMuch = await redeem(f.api, c.id, (await createReward(f.api, { pointsCost: 91 })).id);
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json().error).toMatchObject({ code: 'POINTS_INSUFFICIENT', details: { balance: 90, amount: 91 } });
    expect((await f.api.get(`/api/v1/customers/${c.id}/coupons`)).json().items).toHaveLength(1);
  });

  it('replays a redemption sent again with the same Idempotency-Key instead of issuing twice', async () => {
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 100);
    const reward = await createReward(a.api, { pointsCost: 30 });
    const key = { 'idempotency-key': `redeem-${c.id}` };
    const first = await a.api.post(`/api/v1/customers/${c.id}/redemptions`, { rewardId: reward.id }, key);
    const again = await a.api.post(`/api/v1/customers/${c.id}/redemptions`, { rewardId: reward.id }, key);
    expect(again.statusCode).toBe(201);
    expect(again.json().coupon.code).toBe(first.json().coupon.code);
    expect((await balances(a.api, c.id)).active).toBe(70);
  });

  it('refuses non-members and inactive rewards; variable rewards take points in steps with a proportional value', async () => {
    const guest = await createCustomer(a.api, { accountState: 'guest' });
    await adjust(a.api, guest.id, 'add', 500);
    const reward = await createReward(a.api, { pointsCost: 50 });
    const refused = await redeem(a.api, guest.id, reward.id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'MEMBERSHIP_RESTRICTED' });
    expect(refused.json().error.message).toContain('Guests cannot redeem');
    // Guests cannot redeem, so they cannot be given a reward either, with or without its points.
    for (const deductPoints of [true, false]) {
      const gift = await a.api.post(`/api/v1/customers/${guest.id}/coupons`, { rewardId: reward.id, deductPoints });
      expect(gift.statusCode).toBe(422);
      expect(gift.json().error.code).toBe('RULE_REFUSED');
    }
    expect((await balances(a.api, guest.id)).active).toBe(500);

    const m = await createCustomer(a.api);
    await adjust(a.api, m.id, 'add', 1000);
    const inactive = await createReward(a.api, { active: false });
    expect((await redeem(a.api, m.id, inactive.id)).json().error.message).toContain('inactive');
    const variable = await createReward(a.api, { type: 'variable', pointsCost: 100, value: { amount: '1.50', currency: 'USD' }, maxPoints: 500 });
    expect((await redeem(a.api, m.id, variable.id)).json().error.message).toContain('points');
    const odd = await redeem(a.api, m.id, variable.id, 150);
    expect(odd.statusCode).toBe(400);
    expect(odd.json().error.message).toContain('multiple of 100');
    expect((await redeem(a.api, m.id, variable.id, 600)).json().error.message).toContain('at most 500');
    const ok = await redeem(a.api, m.id, variable.id, 300);
    expect(ok.statusCode).toBe(201);
    expect(ok.json().coupon).toMatchObject({ pointsCost: 300, value: { amount: '4.50', currency: 'USD' } });
    expect((await redeem(a.api, m.id, reward.id, 10)).json().error.message).toContain('only variable rewards take points');
    expect((await redeem(a.api, m.id, '01890000-0000-7000-8000-000000000000')).statusCode).toBe(404);
  });

  it('gives rewards with or without deduction and refuses the types that cannot be given, saying why', async () => {
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 100);
    const refusedTypes: [Record<string, unknown>, string][] = [
      [{ type: 'variable', pointsCost: 100, value: { amount: '1.00', currency: 'USD' } }, 'chooses how many points'],
      [{ type: 'cart_fixed_amount', value: { amount: '5.00', currency: 'USD' } }, 'from the cart'],
      [{ type: 'free_product', value: null, productRef: 'sku-123' }, 'adds the product'],
      [{ type: 'price_adjustment', value: { amount: '2.00', currency: 'USD' } }, 'changes product prices'],
    ];
    for (const [body, why] of refusedTypes) {
      const reward = await createReward(a.api, body);
      for (const deductPoints of [true, false]) {
        const res = await a.api.post(`/api/v1/customers/${c.id}/coupons`, { rewardId: reward.id, deductPoints });
        expect(res.statusCode, JSON.stringify(body)).toBe(422);
        expect(res.json().error.code).toBe('RULE_REFUSED');
        expect(res.json().error.message).toContain('cannot be given');
        expect(res.json().error.message).toContain(why);
      }
    }
    const shipping = await createReward(a.api, { type: 'free_shipping', value: null, pointsCost: 40 });
    const free = await a.api.post(`/api/v1/customers/${c.id}/coupons`, { rewardId: shipping.id, deductPoints: false });
    expect(free.statusCode).toBe(201);
    expect(free.json()).toMatchObject({ coupon: { pointsCost: 0, issuedVia: 'gift', value: null }, balances: { active: 100 } });
    const paid = await a.api.post(`/api/v1/customers/${c.id}/coupons`, { rewardId: shipping.id, deductPoints: true });
    expect(paid.json()).toMatchObject({ coupon: { pointsCost: 40 }, balances: { active: 60 } });
    const types = (await timelineRows(h, a.org.id, c.id)).map((e) => e.type);
    expect(types.filter((t) => t === 'reward.given')).toHaveLength(2);
    expect((await a.api.post(`/api/v1/customers/${c.id}/coupons`, { rewardId: shipping.id })).json().error.message).toContain('deductPoints');
  });

  it('revokes an unused coupon exactly once under concurrency, restoring the exact lots', async () => {
    const f = await createOrgFixture(h);
    const c = await createCustomer(f.api);
    await adjust(f.api, c.id, 'add', 30);
    await adjust(f.api, c.id, 'add', 50);
    const reward = await createReward(f.api, { pointsCost: 60 });
    const { coupon } = (await redeem(f.api, c.id, reward.id)).json();
    expect((await balances(f.api, c.id)).active).toBe(20);
    const before = await h.ctx.db.selectFrom('points_lots').select(['id', 'remaining']).where('org_id', '=', f.org.id).where('customer_id', '=', c.id).execute();

    const results = await Promise.all([
      f.api.post(`/api/v1/coupons/${coupon.id}/revoke`, { reason: 'duplicate' }),
      f.admin.post(`/api/v1/coupons/${coupon.id}/revoke`),
      f.api.post(`/api/v1/coupons/${coupon.id}/revoke`),
      f.admin.post(`/api/v1/coupons/${coupon.id}/revoke`, { reason: 'lost' }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409, 409, 409]);
    const loser = results.find((r) => r.statusCode === 409)!;
    expect(loser.json().error.code).toBe('COUPON_NOT_REVOCABLE');
    expect(loser.json().error.message).toContain('already revoked');
    const winner = results.find((r) => r.statusCode === 200)!;
    expect(winner.json()).toMatchObject({ coupon: { status: 'revoked' }, pointsRestored: 60, balances: { active: 80, redeemed: 0 } });
    expect((await balances(f.api, c.id)).active).toBe(80);
    const refunds = await h.ctx.db.selectFrom('points_entries').selectAll().where('org_id', '=', f.org.id).where('customer_id', '=', c.id).where('kind', '=', 'coupon_refund').execute();
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.unique_key).toBe(`coupon:${coupon.id}:refund`);
    const after = await h.ctx.db.selectFrom('points_lots').select(['id', 'remaining', 'points']).where('org_id', '=', f.org.id).where('customer_id', '=', c.id).execute();
    expect(after.every((l) => l.remaining === l.points)).toBe(true);
    expect(before.some((l) => after.find((x) => x.id === l.id)!.remaining !== l.remaining)).toBe(true);
    expect((await f.api.post(`/api/v1/coupons/${coupon.id}/revoke`)).statusCode).toBe(409);
    const revokedEvent = (await timelineRows(h, f.org.id, c.id)).filter((e) => e.type === 'coupon.revoked');
    expect(revokedEvent).toHaveLength(1);

    const viewer = await staffClient(h, f.org.id, ['customers:read']);
    const { coupon: second } = (await redeem(f.api, c.id, reward.id)).json();
    const denied = await viewer.post(`/api/v1/coupons/${second.id}/revoke`);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.details.permission).toBe('rewards:issue');
    expect((await a.api.post(`/api/v1/coupons/${second.id}/revoke`)).statusCode).toBe(404);
  });

  it('marks a coupon used when an order carries its code, with the order in the history', async () => {
    const c = await createCustomer(a.api);
    const other = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 100);
    const reward = await createReward(a.api, { pointsCost: 50 });
    const { coupon } = (await redeem(a.api, c.id, reward.id)).json();
    const typed = coupon.code.toLowerCase().replace(/-/g, ' ');
    await order(a.api, other.id, '10.00', { discountCodes: [coupon.code] });
    expect((await a.api.get(`/api/v1/customers/${c.id}/coupons`)).json().items[0].status).toBe('active');
    const o = (await order(a.api, c.id, '25.00', { discountCodes: ['WELCOME', typed] })).json();
    const history = (await a.api.get(`/api/v1/customers/${c.id}/coupons`)).json().items;
    expect(history[0]).toMatchObject({ id: coupon.id, status: 'used', usedOrder: { id: o.id, externalId: o.externalId } });
    const revoke = await a.api.post(`/api/v1/coupons/${coupon.id}/revoke`);
    expect(revoke.statusCode).toBe(409);
    expect(revoke.json().error.message).toContain('already used');
    const used = (await timelineRows(h, a.org.id, c.id)).filter((e) => e.type === 'coupon.used');
    expect(used).toHaveLength(1);
    expect(used[0]!.summary).toContain(o.externalId);
  });

  it('expires coupons when their validity ends, once, through the periodic job', async () => {
    const f = await createOrgFixture(h);
    const c = await createCustomer(f.api);
    await adjust(f.api, c.id, 'add', 200);
    const short = await createReward(f.api, { pointsCost: 10, couponValidityDays: 7 });
    const forever = await createReward(f.api, { pointsCost: 10 });
    const { coupon } = (await redeem(f.api, c.id, short.id)).json();
    await redeem(f.api, c.id, forever.id);
    h.clock.advanceDays(8);
    const shown = (await f.api.get(`/api/v1/customers/${c.id}/coupons`)).json().items;
    expect(shown.find((x: { id: string }) => x.id === coupon.id).status).toBe('expired');
    await h.scheduler.tick(true);
    await h.worker.drain();
    const row = await h.ctx.db.selectFrom('coupons').selectAll().where('org_id', '=', f.org.id).where('id', '=', coupon.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('expired');
    expect(row.expired_at).not.toBeNull();
    expect((await expireCoupons(h.ctx, f.org.id)).expired).toBe(0);
    const statuses = (await f.api.get(`/api/v1/customers/${c.id}/coupons`)).json().items.map((x: { status: string }) => x.status).sort();
    expect(statuses).toEqual(['active', 'expired']);
    expect((await timelineRows(h, f.org.id, c.id)).filter((e) => e.type === 'coupon.expired')).toHaveLength(1);
    const revoke = await f.api.post(`/api/v1/coupons/${coupon.id}/revoke`);
    expect(revoke.statusCode).toBe(409);
    expect(revoke.json().error.message).toContain('expired');
    const o = await order(f.api, c.id, '10.00', { discountCodes: [coupon.code] });
    expect(o.statusCode).toBe(201);
    expect((await h.ctx.db.selectFrom('coupons').select('status').where('org_id', '=', f.org.id).where('id', '=', coupon.id).executeTakeFirstOrThrow()).status).toBe('expired');
  });

  it('keeps codes unique per organization and enforces rewards:issue and tenancy on redemption', async () => {
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 1000);
    const reward = await createReward(a.api, { pointsCost: 10, codePrefix: 'G0LD' });
    const codes = new Set<string>();
    for (let i = 0; i < 20; i++) codes.add((await redeem(a.api, c.id, reward.id)).json().coupon.code as string);
    expect(codes.size).toBe(20);
    for (const code of codes) expect(code).toMatch(/^GOLD-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$/);
    const viewer = await staffClient(h, a.org.id, ['customers:read', 'customers:write', 'points:adjust']);
    const denied = await redeem(viewer, c.id, reward.id);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toContain('rewards:issue');
    const giveDenied = await viewer.post(`/api/v1/customers/${c.id}/coupons`, { rewardId: reward.id, deductPoints: false });
    expect(giveDenied.statusCode).toBe(403);
    expect((await balances(a.api, c.id)).active).toBe(800);
    const b = await createOrgFixture(h);
    expect((await redeem(b.api, c.id, reward.id)).statusCode).toBe(404);
    expect((await b.api.get(`/api/v1/customers/${c.id}/coupons`)).statusCode).toBe(404);
    const some = (await a.api.get(`/api/v1/customers/${c.id}/coupons?limit=1`)).json().items[0];
    expect((await b.api.get(`/api/v1/coupons/${some.id}`)).statusCode).toBe(404);
  });
});
