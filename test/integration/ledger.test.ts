import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { runPointsMaintenance } from '../../src/modules/points/points.jobs.js';
import { createHarness, createOrgFixture, ENGINE, login, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';
import { adjust, balances, createCustomer, order } from '../helpers/factories.js';

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

async function setProgram(patch: Record<string, unknown>, f: OrgFixture = a) {
  const res = await f.api.patch('/api/v1/program', patch);
  expect(res.statusCode, res.body).toBe(200);
}

describe(`points ledger on ${ENGINE}`, () => {
  it('creates and upserts customers by externalId, keeping 64-bit ids as strings', async () => {
    const externalId = '18446744073709551615';
    const first = await a.api.post('/api/v1/customers', { externalId, email: 'big@example.com', accountState: 'registered' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ externalId, membershipType: 'member', balances: { active: 0 } });
    const again = await a.api.post('/api/v1/customers', { externalId, firstName: 'Bigint' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: first.json().id, firstName: 'Bigint', email: 'big@example.com' });
    const guest = await a.api.post('/api/v1/customers', { externalId: 'g-1', email: 'g@example.com' });
    expect(guest.json().membershipType).toBe('guest');
    const numeric = await a.api.post('/api/v1/customers', { externalId: 12345 });
    expect(numeric.statusCode).toBe(400);
    expect(numeric.json().error.message).toContain('externalId');
  });

  it('adds and deducts points with the entry and the new balance', async () => {
    const c = await createCustomer(a.api);
    const add = await adjust(a.admin, c.id, 'add', 200, { customerMessage: 'Sorry for the delay', visibleToCustomer: true, countsTowardTier: true });
    expect(add.statusCode).toBe(201);
    expect(add.json()).toMatchObject({
      entry: { kind: 'manual_add', points: 200, balanceAfter: 200, customerMessage: 'Sorry for the delay', countsTowardTier: true, reason: 'test adjustment' },
      balances: { active: 200, adjusted: 200 },
    });
    expect(add.json().entry.actor.type).toBe('user');
    const deduct = await adjust(a.api, c.id, 'deduct', 50);
    expect(deduct.json()).toMatchObject({ entry: { kind: 'manual_deduct', points: -50, balanceAfter: 150 }, balances: { active: 150, adjusted: 150 } });
    const tooMuch = await adjust(a.api, c.id, 'deduct', 151);
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json().error).toMatchObject({ code: 'POINTS_INSUFFICIENT', details: { balance: 150, amount: 151 } });
    expect((await balances(a.api, c.id)).active).toBe(150);
    const entries = (await a.api.get(`/api/v1/customers/${c.id}/points/entries`)).json();
    expect(entries.items.map((e: { kind: string }) => e.kind)).toEqual(['manual_deduct', 'manual_add']);
    expect(entries.items[0].explanation).toContain('manual deduction');
  });

  it('refuses bad adjustments with 400 naming the field and changes nothing', async () => {
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 10);
    const cases: [Record<string, unknown>, string][] = [
      [{ direction: 'add', points: 0, reason: 'x' }, 'points'],
      [{ direction: 'add', points: -5, reason: 'x' }, 'points'],
      [{ direction: 'add', points: 1.5, reason: 'x' }, 'points'],
      [{ direction: 'add', points: 10_000_001, reason: 'x' }, 'points'],
      [{ direction: 'add', points: '10', reason: 'x' }, 'points'],
      [{ direction: 'add', points: 5 }, 'reason'],
      [{ direction: 'add', points: 5, reason: '   ' }, 'reason'],
      [{ direction: 'add', points: 5, reason: 'x'.repeat(501) }, 'reason'],
      [{ direction: 'sideways', points: 5, reason: 'x' }, 'direction'],
    ];
    for (const [body, field] of cases) {
      const res = await a.api.post(`/api/v1/customers/${c.id}/points/adjustments`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.details.fields[0].field).toBe(field);
      expect(res.json().error.message).toContain(field);
    }
    expect((await balances(a.api, c.id)).active).toBe(10);
    const missing = await adjust(a.api, '01890000-0000-7000-8000-000000000000', 'add', 5);
    expect(missing.statusCode).toBe(404);
    const entries = (await a.api.get(`/api/v1/customers/${c.id}/points/entries`)).json();
    expect(entries.items).toHaveLength(1);
  });

  it('enforces points:adjust and tenant isolation on adjustments', async () => {
    const c = await createCustomer(a.api);
    const viewer = await staffClient(h, a.org.id, ['viewer']);
    const res = await adjust(viewer, c.id, 'add', 5);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.details.permission).toBe('points:adjust');
    expect((await viewer.get(`/api/v1/customers/${c.id}`)).statusCode).toBe(200);
    const b = await createOrgFixture(h);
    expect((await adjust(b.admin, c.id, 'add', 5)).statusCode).toBe(404);
    expect((await b.admin.get(`/api/v1/customers/${c.id}`)).statusCode).toBe(404);
    expect((await b.admin.get(`/api/v1/customers/${c.id}/points/entries`)).statusCode).toBe(404);
    expect((await balances(a.api, c.id)).active).toBe(0);
  });

  it('toggles visibility of an entry afterwards and records who did it', async () => {
    const c = await createCustomer(a.api);
    const entry = (await adjust(a.api, c.id, 'add', 5)).json().entry;
    const res = await a.api.patch(`/api/v1/customers/${c.id}/points/entries/${entry.id}`, { visibleToCustomer: false });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: entry.id, visibleToCustomer: false, points: 5 });
  });

  it('consumes lots earliest-expiry first, then oldest, never-expiring last, and records which', async () => {
    const f = await createOrgFixture(h);
    const c = await createCustomer(f.api);
    await adjust(f.api, c.id, 'add', 100); // never expires
    await setProgram({ expiryPolicy: 'days_after_earning', expiryDays: 30 }, f);
    await adjust(f.api, c.id, 'add', 40); // expires in 30 days
    h.clock.advanceDays(1);
    await adjust(f.api, c.id, 'add', 30); // expires in 31 days
    const d = (await adjust(f.api, c.id, 'deduct', 50)).json().entry;
    const allocs = await h.ctx.db
      .selectFrom('points_allocations as a')
      .innerJoin('points_lots as l', (j) => j.onRef('l.org_id', '=', 'a.org_id').onRef('l.id', '=', 'a.lot_id'))
      .select(['a.points', 'l.points as lot_points'])
      .where('a.org_id', '=', f.org.id)
      .where('a.entry_id', '=', d.id)
      .execute();
    expect(allocs.map((x) => [x.lot_points, x.points]).sort()).toEqual([[30, -10], [40, -40]].sort());
    // Expiry: the 30-point lot (20 left) expires after 31 days; the never-expiring lot stays.
    h.clock.advanceDays(31);
    const r1 = await runPointsMaintenance(h.ctx, f.org.id);
    expect(r1.expiredPoints).toBe(20);
    const again = await runPointsMaintenance(h.ctx, f.org.id);
    expect(again.expiredPoints).toBe(0);
    expect(await balances(f.api, c.id)).toMatchObject({ active: 100, expired: 20, adjusted: 120 });
  });

  it('sends one expiry reminder per lot N days before and expires whole balances after inactivity', async () => {
    const f = await createOrgFixture(h);
    await setProgram({ expiryPolicy: 'days_after_earning', expiryDays: 10, reminderDays: 3 }, f);
    const c = await createCustomer(f.api);
    await adjust(f.api, c.id, 'add', 25);
    h.clock.advanceDays(8);
    expect((await runPointsMaintenance(h.ctx, f.org.id)).reminders).toBe(1);
    expect((await runPointsMaintenance(h.ctx, f.org.id)).reminders).toBe(0);
    const events = await h.ctx.db.selectFrom('activity_events').select('type').where('org_id', '=', f.org.id).where('customer_id', '=', c.id).execute();
    expect(events.filter((e) => e.type === 'points.expiry_reminder')).toHaveLength(1);

    const g = await createOrgFixture(h);
    await setProgram({ expiryPolicy: 'inactivity', expiryDays: 90 }, g);
    const idle = await createCustomer(g.api);
    const busy = await createCustomer(g.api);
    await adjust(g.api, idle.id, 'add', 70);
    await adjust(g.api, busy.id, 'add', 70);
    h.clock.advanceDays(60);
    await adjust(g.api, busy.id, 'add', 1);
    h.clock.advanceDays(31);
    const r = await runPointsMaintenance(h.ctx, g.org.id);
    expect(r.expiredPoints).toBe(70);
    expect((await balances(g.api, idle.id)).active).toBe(0);
    expect((await balances(g.api, busy.id)).active).toBe(71);
  });
});

describe(`orders on ${ENGINE}`, () => {
  it('earns from an order once, with an explanation, and counts lifetime value', async () => {
    const f = await createOrgFixture(h);
    await setProgram({ earnRate: '0.1' }, f);
    const c = await createCustomer(f.api);
    const body = { externalId: '5099845042345', customerId: c.id, total: { amount: '120.00', currency: 'USD' }, discountCodes: ['SAVE10'] };
    const first = await f.api.post('/api/v1/orders', body);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ externalId: '5099845042345', pointsEarned: 12, status: 'paid' });
    expect(first.json().explanation).toContain('order #5099845042345');
    expect(first.json().explanation).toContain('120.00 USD x 0.1');
    const again = await f.api.post('/api/v1/orders', body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const profile = (await f.api.get(`/api/v1/customers/${c.id}`)).json();
    expect(profile.balances).toMatchObject({ active: 12, earned: 12 });
    expect(profile.orders).toEqual({ count: 1, lifetimeValue: { amount: '120.00', currency: 'USD' } });
    const byExternal = await f.api.post('/api/v1/orders', { externalId: 'o-ext', customerExternalId: c.externalId, total: { amount: '5.55', currency: 'USD' } });
    expect(byExternal.statusCode).toBe(201);
    const list = (await f.api.get(`/api/v1/customers/${c.id}/orders`)).json();
    expect(list.items).toHaveLength(2);
  });

  it('refuses malformed money, unknown currency and unknown customers, changing nothing', async () => {
    const c = await createCustomer(a.api);
    for (const amount of ['12.345', '1e3', '-5', '12,00', '', ' 1']) {
      const res = await order(a.api, c.id, amount);
      expect(res.statusCode, amount).toBe(400);
      expect(res.json().error.message).toContain('amount');
    }
    const cur = await a.api.post('/api/v1/orders', { externalId: 'x1', customerId: c.id, total: { amount: '1.00', currency: 'XXY' } });
    expect(cur.statusCode).toBe(400);
    expect(cur.json().error.message).toContain('currency');
    const nobody = await a.api.post('/api/v1/orders', { externalId: 'x2', customerExternalId: 'nobody', total: { amount: '1.00', currency: 'USD' } });
    expect(nobody.statusCode).toBe(404);
    expect((await a.api.get(`/api/v1/customers/${c.id}/orders`)).json().items).toHaveLength(0);
  });

  it('reverses partial refunds in proportion to what the order earned, never more in total', async () => {
    const f = await createOrgFixture(h);
    const c = await createCustomer(f.api);
    const o = (await order(f.api, c.id, '100.00')).json();
    expect(o.pointsEarned).toBe(100);
    await setProgram({ earnRate: '5' }, f); // today's rule must not matter for the reversal
    const r1 = await f.api.post(`/api/v1/orders/${o.id}/refunds`, { amount: { amount: '33.33', currency: 'USD' }, refundId: 'r1' });
    expect(r1.statusCode).toBe(201);
    expect(r1.json().refund.pointsReversed).toBe(33);
    const dup = await f.api.post(`/api/v1/orders/${o.id}/refunds`, { amount: { amount: '33.33', currency: 'USD' }, refundId: 'r1' });
    expect(dup.statusCode).toBe(200);
    expect((await balances(f.api, c.id)).active).toBe(67);
    await f.api.post(`/api/v1/orders/${o.id}/refunds`, { amount: { amount: '33.33', currency: 'USD' }, refundId: 'r2' });
    const r3 = await f.api.post(`/api/v1/orders/${o.id}/refunds`, { amount: { amount: '33.34', currency: 'USD' }, refundId: 'r3' });
    expect(r3.json().order.pointsReversed).toBe(100);
    const over = await f.api.post(`/api/v1/orders/${o.id}/refunds`, { amount: { amount: '0.01', currency: 'USD' }, refundId: 'r4' });
    expect(over.statusCode).toBe(409);
    expect(await balances(f.api, c.id)).toMatchObject({ active: 0, reversed: 100, earned: 100 });
    const profile = (await f.api.get(`/api/v1/customers/${c.id}`)).json();
    expect(profile.orders.lifetimeValue.amount).toBe('0.00');
  });

  it('clamps clawback at zero by default, or goes negative when allowed and pays the debt back', async () => {
    const f = await createOrgFixture(h);
    const c = await createCustomer(f.api);
    const o = (await order(f.api, c.id, '50.00')).json();
    await adjust(f.api, c.id, 'deduct', 45);
    await f.api.post(`/api/v1/orders/${o.id}/cancel`, {});
    expect(await balances(f.api, c.id)).toMatchObject({ active: 0, reversed: 5 });

    await setProgram({ clawbackPolicy: 'allow_negative' }, f);
    const d = await createCustomer(f.api);
    const o2 = (await order(f.api, d.id, '50.00')).json();
    await adjust(f.api, d.id, 'deduct', 45);
    const cancel = await f.api.post(`/api/v1/orders/${o2.id}/cancel`, {});
    expect(cancel.json().status).toBe('cancelled');
    expect((await balances(f.api, d.id)).active).toBe(-45);
    expect((await adjust(f.api, d.id, 'deduct', 1)).statusCode).toBe(409);
    await adjust(f.api, d.id, 'add', 60);
    expect((await balances(f.api, d.id)).active).toBe(15);
    expect((await adjust(f.api, d.id, 'deduct', 15)).statusCode).toBe(201);
  });

  it('keeps order points pending for the pending period, cancels them on refund, and only active points can be spent', async () => {
    const f = await createOrgFixture(h);
    await setProgram({ pendingDays: 14 }, f);
    const c = await createCustomer(f.api);
    const o = (await order(f.api, c.id, '80.00')).json();
    expect(await balances(f.api, c.id)).toMatchObject({ active: 0, pending: 80, earned: 80 });
    expect((await adjust(f.api, c.id, 'deduct', 1)).statusCode).toBe(409);
    await f.api.post(`/api/v1/orders/${o.id}/refunds`, { amount: { amount: '20.00', currency: 'USD' } });
    expect(await balances(f.api, c.id)).toMatchObject({ active: 0, pending: 60, reversed: 20 });
    h.clock.advanceDays(13);
    expect((await runPointsMaintenance(h.ctx, f.org.id)).activated).toBe(0);
    h.clock.advanceDays(1);
    expect((await runPointsMaintenance(h.ctx, f.org.id)).activated).toBe(1);
    expect((await runPointsMaintenance(h.ctx, f.org.id)).activated).toBe(0);
    expect(await balances(f.api, c.id)).toMatchObject({ active: 60, pending: 0 });
  });

  it('awards on fulfilment: pending until the order is fulfilled', async () => {
    const f = await createOrgFixture(h);
    await setProgram({ awardOn: 'fulfilled' }, f);
    const c = await createCustomer(f.api);
    const o = (await order(f.api, c.id, '30.00')).json();
    expect(await balances(f.api, c.id)).toMatchObject({ active: 0, pending: 30 });
    h.clock.advanceDays(100);
    await runPointsMaintenance(h.ctx, f.org.id);
    expect((await balances(f.api, c.id)).pending).toBe(30);
    const fulfilled = await f.api.post(`/api/v1/orders/${o.id}/fulfil`);
    expect(fulfilled.json().status).toBe('fulfilled');
    expect(await balances(f.api, c.id)).toMatchObject({ active: 30, pending: 0 });
    // Sending the same order again as fulfilled changes nothing.
    const same = await f.api.post('/api/v1/orders', { externalId: o.externalId, customerId: c.id, total: { amount: '30.00', currency: 'USD' }, status: 'fulfilled' });
    expect(same.statusCode).toBe(200);
    expect(await balances(f.api, c.id)).toMatchObject({ active: 30, earned: 30 });
  });

  it('exposes a ledger verification to admins', async () => {
    const admin = await login(h, a.adminEmail);
    const res = await admin.get('/api/v1/ledger/verify');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, mismatchCount: 0 });
    const viewer = await staffClient(h, a.org.id, ['viewer']);
    expect((await viewer.get('/api/v1/ledger/verify')).statusCode).toBe(403);
    expect((await a.api.get('/api/v1/ledger/verify')).statusCode).toBe(403);
  });
});

describe(`ledger regressions on ${ENGINE}`, () => {
  // Found by the model test: activating a pending lot that pays back a debt changes the same
  // lot twice in one write (status, then remainder); both changes must land.
  it('activation that repays a debt keeps the lot active with the right remainder', async () => {
    const f = await createOrgFixture(h);
    await setProgram({ pendingDays: 5, clawbackPolicy: 'allow_negative' }, f);
    const c = await createCustomer(f.api);
    const o1 = (await order(f.api, c.id, '1.00')).json();
    h.clock.advanceDays(5);
    await runPointsMaintenance(h.ctx, f.org.id);
    expect((await adjust(f.api, c.id, 'deduct', 1)).statusCode).toBe(201);
    await f.api.post(`/api/v1/orders/${o1.id}/cancel`, {});
    expect((await balances(f.api, c.id)).active).toBe(-1);
    const o2 = (await order(f.api, c.id, '1.00')).json();
    h.clock.advanceDays(5);
    await runPointsMaintenance(h.ctx, f.org.id);
    expect((await balances(f.api, c.id)).active).toBe(0);
    const lot = await h.ctx.db.selectFrom('points_lots').select(['status', 'remaining']).where('org_id', '=', f.org.id).where('order_id', '=', o2.id).executeTakeFirstOrThrow();
    expect(lot).toEqual({ status: 'active', remaining: 0 });
    await f.api.post(`/api/v1/orders/${o2.id}/cancel`, {});
    expect((await balances(f.api, c.id)).active).toBe(-1);
    expect((await verifyLedger(h.ctx.db, f.org.id)).mismatches).toEqual([]);
  });
});
