import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTierAssessment } from '../../src/modules/tiers/tiers.assess.service.js';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { createHarness, createOrgFixture, ENGINE, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';
import { adjust, createCustomer, order } from '../helpers/factories.js';
import { entries, profile, setupTiers, timeline } from '../helpers/customer-ops-factories.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  const report = await verifyLedger(h.ctx.db, null);
  expect(report.mismatches).toEqual([]);
  await h.close();
});

const SPEND_TIERS = [
  { name: 'Bronze', threshold: '0' },
  { name: 'Silver', threshold: '250.00', earnMultiplier: '1.25', entryPoints: 100 },
  { name: 'Gold', threshold: '1000.00', earnMultiplier: '1.5', entryPoints: 250 },
];

async function tierOf(f: OrgFixture, customerId: string) {
  return (await profile(f.api, customerId)).tier as { id: string; name: string; progress: string; manual: boolean; qualifyingOrderId: string | null; next: { name: string; missing: string; explanation: string } | null } | null;
}

describe(`tier configuration on ${ENGINE}`, () => {
  it('keeps tier settings and ordered tiers per organization, validating thresholds in the basis unit', async () => {
    const f = await createOrgFixture(h);
    expect((await f.api.get('/api/v1/tiers/settings')).json()).toMatchObject({ basis: 'points_earned', window: 'lifetime', graceDays: 0 });
    const ids = await setupTiers(f, { basis: 'amount_spent', window: 'calendar_year', graceDays: 30 }, [...SPEND_TIERS].reverse());
    const list = (await f.admin.get('/api/v1/tiers')).json();
    expect(list.items.map((t: { name: string; rank: number; threshold: string }) => [t.name, t.rank, t.threshold])).toEqual([
      ['Bronze', 1, '0.00'],
      ['Silver', 2, '250.00'],
      ['Gold', 3, '1000.00'],
    ]);
    expect(list.items[2]).toMatchObject({ earnMultiplier: '1.5', entryPoints: 250, birthdayPoints: null });
    const first = (await f.api.get('/api/v1/tiers?limit=2')).json();
    expect(first.items).toHaveLength(2);
    const second = (await f.api.get(`/api/v1/tiers?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second).toMatchObject({ items: [{ name: 'Gold' }], nextCursor: null });

    const dupName = await f.api.post('/api/v1/tiers', { name: 'silver', threshold: '300.00' });
    expect(dupName.statusCode).toBe(409);
    expect(dupName.json().error).toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'name' } });
    const dupThreshold = await f.api.post('/api/v1/tiers', { name: 'Platinum', threshold: '250' });
    expect(dupThreshold.statusCode).toBe(409);
    expect(dupThreshold.json().error.message).toContain('Silver');
    for (const [body, field] of [
      [{ name: 'X', threshold: 'abc' }, 'threshold'],
      [{ name: 'X', threshold: '12.345' }, 'threshold'],
      [{ name: 'X', threshold: '5', earnMultiplier: '0' }, 'earnMultiplier'],
      [{ name: '', threshold: '5' }, 'name'],
    ] as const) {
      const res = await f.api.post('/api/v1/tiers', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.message).toContain(field);
    }
    const patched = await f.api.patch(`/api/v1/tiers/${ids.Silver}`, { birthdayPoints: 300, threshold: '300.00' });
    expect(patched.json()).toMatchObject({ birthdayPoints: 300, threshold: '300.00', rank: 2 });
    const basis = await f.api.put('/api/v1/tiers/settings', { basis: 'points_earned', window: 'lifetime', graceDays: 0 });
    expect(basis.statusCode).toBe(409);
    expect(basis.json().error.message).toContain('3 tier(s) exist');
    expect((await f.api.put('/api/v1/tiers/settings', { basis: 'amount_spent', window: 'rolling_12_months', graceDays: 7 })).statusCode).toBe(200);

    const viewer = await staffClient(h, f.org.id, ['viewer']);
    expect((await viewer.get('/api/v1/tiers')).statusCode).toBe(200);
    const denied = await viewer.post('/api/v1/tiers', { name: 'Nope', threshold: '1' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.details.permission).toBe('settings:manage');
    const other = await createOrgFixture(h);
    expect((await other.api.get(`/api/v1/tiers/${ids.Gold}`)).statusCode).toBe(404);
    expect((await other.api.delete(`/api/v1/tiers/${ids.Gold}`)).statusCode).toBe(404);

    const c = await createCustomer(f.api);
    await order(f.api, c.id, '10.00');
    const inUse = await f.api.delete(`/api/v1/tiers/${ids.Bronze}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error.message).toContain('held by 1 customer(s)');
    expect((await f.api.delete(`/api/v1/tiers/${ids.Gold}`)).statusCode).toBe(204);
  });
});

describe(`tiers on customers on ${ENGINE}`, () => {
  it('assesses existing customers soon after tiers are configured', async () => {
    h.clock.set('2026-03-10T12:00:00Z');
    const f = await createOrgFixture(h);
    const c = await createCustomer(f.api);
    await order(f.api, c.id, '300.00');
    expect(await tierOf(f, c.id)).toBeNull();
    await setupTiers(f, { basis: 'amount_spent', window: 'lifetime', graceDays: 0 }, SPEND_TIERS);
    h.clock.advance(61_000);
    await h.worker.drain();
    expect(await tierOf(f, c.id)).toMatchObject({ name: 'Silver', progress: '300.00', qualifyingOrderId: null });
    const [change] = (await timeline(h, f.org.id, c.id)).filter((e) => e.type === 'tier.changed');
    expect(change).toMatchObject({ actor_type: 'system', payload: { cause: 'spend', previousTier: null, tier: 'Silver' } });
  });

  it('upgrades in the transaction of the qualifying order, applies the multiplier and credits the entry reward once', async () => {
    const f = await createOrgFixture(h);
    const ids = await setupTiers(f, { basis: 'amount_spent', window: 'lifetime', graceDays: 0 }, SPEND_TIERS);
    const c = await createCustomer(f.api);
    await order(f.api, c.id, '100.00');
    expect(await tierOf(f, c.id)).toMatchObject({
      name: 'Bronze',
      progress: '100.00',
      manual: false,
      next: { name: 'Silver', missing: '150.00', explanation: 'needs 150.00 USD more spend for Silver' },
    });
    const o2 = (await order(f.api, c.id, '200.00')).json();
    // The order that qualifies already earns at the new tier's rate, in the same transaction.
    expect(o2.pointsEarned).toBe(250);
    expect(o2.explanation).toContain('(Silver x1.25)');
    expect(await tierOf(f, c.id)).toMatchObject({ id: ids.Silver, qualifyingOrderId: o2.id, progress: '300.00', next: { name: 'Gold', missing: '700.00' } });
    const change = (await timeline(h, f.org.id, c.id)).find((e) => e.type === 'tier.changed' && e.payload.tier === 'Silver')!;
    expect(change).toMatchObject({ actor_type: 'api_key', payload: { previousTier: 'Bronze', cause: 'spend', qualifyingOrderId: o2.id, direction: 'up' } });
    const o3 = (await order(f.api, c.id, '800.00')).json();
    expect(o3).toMatchObject({ pointsEarned: 1200 });
    expect(o3.explanation).toContain('(Gold x1.5)');
    const rewards = (await entries(f.api, c.id)).filter((e) => e.source?.type === 'tier');
    expect(rewards.map((e) => [e.kind, e.points])).toEqual([
      ['earn_rule', 250],
      ['earn_rule', 100],
    ]);
    // Back down by hand and up again by spending: the Silver and Gold rewards are not paid twice.
    await f.api.put(`/api/v1/customers/${c.id}/tier`, { tierId: ids.Bronze });
    await order(f.api, c.id, '1.00');
    expect((await tierOf(f, c.id))?.name).toBe('Gold');
    expect((await entries(f.api, c.id)).filter((e) => e.source?.type === 'tier')).toHaveLength(2);
  });

  it('counts points earned toward tier only from orders and flagged adjustments', async () => {
    const f = await createOrgFixture(h);
    await setupTiers(f, { basis: 'points_earned', window: 'lifetime', graceDays: 0 }, [{ name: 'Silver', threshold: 100 }]);
    const c = await createCustomer(f.api);
    await adjust(f.api, c.id, 'add', 150);
    expect(await tierOf(f, c.id)).toBeNull();
    await adjust(f.api, c.id, 'add', 40, { countsTowardTier: true });
    const o = (await order(f.api, c.id, '60.00')).json();
    expect(await tierOf(f, c.id)).toMatchObject({ name: 'Silver', progress: 100, qualifyingOrderId: o.id });
    const [change] = (await timeline(h, f.org.id, c.id)).filter((e) => e.type === 'tier.changed');
    expect(change!.payload).toMatchObject({ cause: 'points', previousTier: null, tier: 'Silver' });
  });

  it('assigns a tier by hand as a floor, sets and recalculates progress, and releases the floor', async () => {
    const f = await createOrgFixture(h);
    const ids = await setupTiers(f, { basis: 'amount_spent', window: 'lifetime', graceDays: 0 }, SPEND_TIERS);
    const c = await createCustomer(f.api);
    await order(f.api, c.id, '120.00');
    const assigned = await f.admin.put(`/api/v1/customers/${c.id}/tier`, { tierId: ids.Gold, tierProgress: '900.00', reason: 'VIP goodwill' });
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect(assigned.json().tier).toMatchObject({ name: 'Gold', manual: true, progress: '900.00', next: null });
    const events = await timeline(h, f.org.id, c.id);
    expect(events.find((e) => e.type === 'tier.changed')).toMatchObject({ actor_type: 'user', payload: { cause: 'manual', previousTier: 'Bronze', tier: 'Gold' } });
    expect(events.find((e) => e.type === 'tier.progress_set')?.payload).toMatchObject({ previousProgress: '120.00', progress: '900.00' });
    expect((await entries(f.api, c.id)).find((e) => e.source?.type === 'tier')?.points).toBe(250);

    const recalculated = await f.api.post(`/api/v1/customers/${c.id}/tier/recalculate`, {});
    expect(recalculated.statusCode).toBe(200);
    expect(recalculated.json().tier).toMatchObject({ name: 'Gold', progress: '120.00', manual: true });
    expect((await timeline(h, f.org.id, c.id))[0]).toMatchObject({ type: 'tier.recalculated', payload: { previousProgress: '900.00', progress: '120.00' } });

    const o = (await f.api.post('/api/v1/orders', { externalId: 'refund-me', customerId: c.id, total: { amount: '50.00', currency: 'USD' } })).json();
    await f.api.post(`/api/v1/orders/${o.id}/refunds`, { amount: { amount: '20.00', currency: 'USD' } });
    expect((await f.api.post(`/api/v1/customers/${c.id}/tier/recalculate`, {})).json().tier.progress).toBe('150.00');

    const released = await f.api.delete(`/api/v1/customers/${c.id}/tier/manual`);
    expect(released.json().tier).toMatchObject({ name: 'Gold', manual: false });
    expect((await timeline(h, f.org.id, c.id))[0]!.type).toBe('tier.manual_released');
    const again = await f.api.delete(`/api/v1/customers/${c.id}/tier/manual`);
    expect(again.statusCode).toBe(409);
    expect((await f.api.put(`/api/v1/customers/${c.id}/tier`, { tierId: '01890000-0000-7000-8000-000000000000' })).statusCode).toBe(404);
  });

  it('needs tiers:manage for tier actions and keeps organizations apart', async () => {
    const f = await createOrgFixture(h);
    const ids = await setupTiers(f, { basis: 'orders_count', window: 'lifetime', graceDays: 0 }, [{ name: 'Silver', threshold: 2 }]);
    const c = await createCustomer(f.api);
    const staff = await staffClient(h, f.org.id, ['customers:read', 'customers:write', 'points:adjust']);
    for (const res of [
      await staff.put(`/api/v1/customers/${c.id}/tier`, { tierId: ids.Silver }),
      await staff.post(`/api/v1/customers/${c.id}/tier/recalculate`, {}),
      await staff.delete(`/api/v1/customers/${c.id}/tier/manual`),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(res.json().error.message).toContain('tiers:manage');
    }
    expect(await tierOf(f, c.id)).toBeNull();
    const support = await staffClient(h, f.org.id, ['support']);
    expect((await support.put(`/api/v1/customers/${c.id}/tier`, { tierId: ids.Silver })).json().tier.name).toBe('Silver');
    const other = await createOrgFixture(h);
    const otherIds = await setupTiers(other, { basis: 'orders_count', window: 'lifetime', graceDays: 0 }, [{ name: 'Gold', threshold: 5 }]);
    expect((await other.api.put(`/api/v1/customers/${c.id}/tier`, { tierId: otherIds.Gold })).statusCode).toBe(404);
    expect((await f.api.put(`/api/v1/customers/${c.id}/tier`, { tierId: otherIds.Gold })).statusCode).toBe(404);
  });
});

describe(`tier assessment on ${ENGINE}`, () => {
  it('never downgrades a lifetime tier', async () => {
    h.clock.set('2026-03-10T12:00:00Z');
    const f = await createOrgFixture(h);
    await setupTiers(f, { basis: 'amount_spent', window: 'lifetime', graceDays: 0 }, [{ name: 'Silver', threshold: '100.00' }]);
    const c = await createCustomer(f.api);
    await order(f.api, c.id, '150.00');
    h.clock.set('2030-01-01T00:00:00Z');
    expect(await runTierAssessment(h.ctx, f.org.id)).toMatchObject({ checked: 1, downgraded: 0 });
    expect((await tierOf(f, c.id))?.name).toBe('Silver');
  });

  it('downgrades a calendar-year tier after the year (organization timezone) plus grace days, never below a manual floor', async () => {
    h.clock.set('2027-01-01T03:00:00Z'); // still 2026-12-31 in New York
    const f = await createOrgFixture(h, { timezone: 'America/New_York' });
    const ids = await setupTiers(f, { basis: 'amount_spent', window: 'calendar_year', graceDays: 10 }, [
      { name: 'Silver', threshold: '100.00' },
      { name: 'Gold', threshold: '500.00' },
    ]);
    const plain = await createCustomer(f.api);
    await order(f.api, plain.id, '600.00');
    const floored = await createCustomer(f.api);
    await f.api.put(`/api/v1/customers/${floored.id}/tier`, { tierId: ids.Silver });
    await order(f.api, floored.id, '600.00');
    expect(await tierOf(f, floored.id)).toMatchObject({ name: 'Gold', manual: true });

    h.clock.set('2027-06-01T12:00:00Z');
    const mid = await createCustomer(f.api);
    await order(f.api, mid.id, '150.00');
    expect((await tierOf(f, mid.id))?.next?.explanation).toBe('needs 350.00 USD more spend by 2027-12-31 for Gold');
    expect(await runTierAssessment(h.ctx, f.org.id)).toMatchObject({ downgraded: 0 });

    // 2027 had no spend; the 2026 status holds until 2028-01-01 00:00 New York + 10 days.
    h.clock.set('2028-01-11T04:59:59Z');
    expect(await runTierAssessment(h.ctx, f.org.id)).toMatchObject({ downgraded: 0, deferred: 2 });
    expect((await tierOf(f, plain.id))?.name).toBe('Gold');
    h.clock.set('2028-01-11T05:00:00Z');
    expect(await runTierAssessment(h.ctx, f.org.id)).toMatchObject({ downgraded: 2 });
    expect(await tierOf(f, plain.id)).toBeNull();
    expect(await tierOf(f, floored.id)).toMatchObject({ name: 'Silver', manual: true });
    // Silver was earned in 2027, so it holds through the 2028 assessment.
    expect((await tierOf(f, mid.id))?.name).toBe('Silver');
    const [change] = (await timeline(h, f.org.id, floored.id)).filter((e) => e.type === 'tier.changed');
    expect(change).toMatchObject({ actor_type: 'system', payload: { cause: 'assessment', previousTier: 'Gold', tier: 'Silver', direction: 'down' } });
    expect(await runTierAssessment(h.ctx, f.org.id)).toMatchObject({ downgraded: 0 });
  });

  it('downgrades a rolling-12-months tier once the progress has been short for the grace days (scheduled job)', async () => {
    h.clock.set('2026-03-10T12:00:00Z');
    const f = await createOrgFixture(h);
    await setupTiers(f, { basis: 'orders_count', window: 'rolling_12_months', graceDays: 5 }, [{ name: 'Silver', threshold: 2 }]);
    const c = await createCustomer(f.api);
    await order(f.api, c.id, '5.00');
    await order(f.api, c.id, '5.00');
    const upgraded = (await timeline(h, f.org.id, c.id)).find((e) => e.type === 'tier.changed')!;
    expect(upgraded.payload).toMatchObject({ cause: 'orders', tier: 'Silver' });

    const runJob = async () => {
      await h.scheduler.tick(true);
      await h.worker.drain();
      const job = await h.ctx.db
        .selectFrom('jobs')
        .select(['status', 'result'])
        .where('org_id', '=', f.org.id)
        .where('type', '=', 'tiers.assess')
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      expect(job.status).toBe('done');
      return job.result;
    };
    h.clock.set('2027-03-12T12:00:00Z');
    expect(await runJob()).toMatchObject({ checked: 1, downgraded: 0 });
    expect((await tierOf(f, c.id))?.name).toBe('Silver');
    h.clock.set('2027-03-16T12:00:00Z');
    expect(await runJob()).toMatchObject({ downgraded: 1 });
    expect(await tierOf(f, c.id)).toBeNull();
  });
});

describe(`tier rules of docs/tiers.md on ${ENGINE}`, () => {
  type TierView = {
    name: string;
    manual: boolean;
    manualTier: { name: string } | null;
    reason: string;
    downgradePending: { to: { name: string } | null; at: string; reason: string } | null;
  };
  const view = async (f: OrgFixture, id: string) => (await profile(f.api, id)).tier as TierView | null;

  it('a manual tier is set up or down; recalculating and the assessment never change it; qualifying activity raises it; release keeps the tier and says why', async () => {
    h.clock.set('2026-04-01T12:00:00Z');
    const f = await createOrgFixture(h);
    const ids = await setupTiers(f, { basis: 'amount_spent', window: 'lifetime', graceDays: 0 }, SPEND_TIERS);
    const c = await createCustomer(f.api);
    await order(f.api, c.id, '300.00');
    expect(await view(f, c.id)).toMatchObject({ name: 'Silver', manual: false, manualTier: null, reason: 'Earned by progress: 300.00 USD in total (Silver starts at 250.00 USD)', downgradePending: null });

    // Down by hand: Bronze, labelled manual.
    const down = await f.admin.put(`/api/v1/customers/${c.id}/tier`, { tierId: ids.Bronze });
    expect(down.statusCode, down.body).toBe(200);
    expect(down.json().tier).toMatchObject({ name: 'Bronze', manual: true, manualTier: { name: 'Bronze' }, reason: 'Manually assigned on 2026-04-01; progress: 300.00 USD in total' });
    // Recalculating recomputes progress only: still a manual Bronze.
    const recalculated = await f.admin.post(`/api/v1/customers/${c.id}/tier/recalculate`, {});
    expect(recalculated.json().tier).toMatchObject({ name: 'Bronze', manual: true, progress: '300.00' });
    expect((await timeline(h, f.org.id, c.id)).filter((e) => e.type === 'tier.changed')).toHaveLength(2);
    // The scheduled assessment neither raises nor lowers a manual tier.
    h.clock.advance(86_400_000);
    await runTierAssessment(h.ctx, f.org.id);
    expect(await view(f, c.id)).toMatchObject({ name: 'Bronze', manual: true });

    // Qualifying activity raises it; the label stays and names the manual tier.
    const o = (await order(f.api, c.id, '1.00')).json();
    expect(await view(f, c.id)).toMatchObject({ name: 'Silver', manual: true, manualTier: { name: 'Bronze' } });
    expect((await view(f, c.id))!.reason).toBe('Raised above the manually assigned Bronze by progress: 301.00 USD in total (Silver starts at 250.00 USD)');
    expect((await timeline(h, f.org.id, c.id)).find((e) => e.type === 'tier.changed')).toMatchObject({ payload: { cause: 'spend', qualifyingOrderId: o.id, tier: 'Silver' } });

    // Release: the label goes, the tier the progress reaches is shown with why.
    const released = await f.admin.delete(`/api/v1/customers/${c.id}/tier/manual`);
    expect(released.json().tier).toMatchObject({ name: 'Silver', manual: false, manualTier: null, reason: 'Earned by progress: 301.00 USD in total (Silver starts at 250.00 USD)' });
  });

  it('release raises at once to the tier the progress reaches, with the reason in the timeline', async () => {
    const f = await createOrgFixture(h);
    const ids = await setupTiers(f, { basis: 'amount_spent', window: 'lifetime', graceDays: 0 }, SPEND_TIERS);
    const c = await createCustomer(f.api);
    await order(f.api, c.id, '1200.00');
    await f.admin.put(`/api/v1/customers/${c.id}/tier`, { tierId: ids.Bronze });
    const released = await f.admin.delete(`/api/v1/customers/${c.id}/tier/manual`);
    expect(released.json().tier).toMatchObject({ name: 'Gold', manual: false, reason: 'Earned by progress: 1200.00 USD in total (Gold starts at 1000.00 USD)' });
    const [change] = (await timeline(h, f.org.id, c.id)).filter((e) => e.type === 'tier.changed');
    expect(change).toMatchObject({ summary: 'Tier upgraded from Bronze to Gold (release): 1200.00 USD in total', payload: { cause: 'release', previousTier: 'Bronze', tier: 'Gold' } });
  });

  it('editing progress alone does not make the tier manual and raises it when it qualifies', async () => {
    const f = await createOrgFixture(h);
    await setupTiers(f, { basis: 'amount_spent', window: 'lifetime', graceDays: 0 }, SPEND_TIERS);
    const c = await createCustomer(f.api);
    await order(f.api, c.id, '100.00');
    const set = await f.admin.put(`/api/v1/customers/${c.id}/tier/progress`, { tierProgress: '260.00', reason: 'Store credit sale' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().tier).toMatchObject({ name: 'Silver', manual: false, progress: '260.00' });
    expect((await timeline(h, f.org.id, c.id)).map((e) => e.type)).toEqual(expect.arrayContaining(['tier.progress_set', 'tier.changed']));
    const bad = await f.admin.put(`/api/v1/customers/${c.id}/tier/progress`, { tierProgress: 260 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('tierProgress');
    expect((await view(f, c.id))?.name).toBe('Silver');
  });

  it('previews the entry reward of a manual change and skips it when asked, recording the skip', async () => {
    const f = await createOrgFixture(h);
    const ids = await setupTiers(f, { basis: 'amount_spent', window: 'lifetime', graceDays: 0 }, SPEND_TIERS);
    const c = await createCustomer(f.api);
    await order(f.api, c.id, '10.00');
    const preview = async (tierId: string) => (await f.admin.get(`/api/v1/customers/${c.id}/tier/preview?tierId=${tierId}`)).json();
    expect(await preview(ids.Gold!)).toEqual({ tier: { id: ids.Gold, name: 'Gold' }, direction: 'up', entryReward: { points: 250, tierName: 'Gold' } });
    expect(await preview(ids.Bronze!)).toMatchObject({ direction: 'same', entryReward: null });
    expect((await f.admin.get(`/api/v1/customers/${c.id}/tier/preview?tierId=01890000-0000-7000-8000-000000000000`)).statusCode).toBe(404);

    const skipped = await f.admin.put(`/api/v1/customers/${c.id}/tier`, { tierId: ids.Gold, grantEntryReward: false });
    expect(skipped.json().tier).toMatchObject({ name: 'Gold', manual: true });
    expect((await entries(f.api, c.id)).filter((e) => e.source?.type === 'tier')).toEqual([]);
    expect((await timeline(h, f.org.id, c.id))[0]).toMatchObject({ type: 'tier.entry_reward_skipped', summary: 'Entry reward of Gold (250 points) not granted: skipped by staff with the tier change' });

    // Granted by default: moving up to Silver from Bronze pays 100.
    const other = await createCustomer(f.api);
    await order(f.api, other.id, '10.00');
    expect((await f.admin.get(`/api/v1/customers/${other.id}/tier/preview?tierId=${ids.Silver}`)).json().entryReward).toEqual({ points: 100, tierName: 'Silver' });
    await f.admin.put(`/api/v1/customers/${other.id}/tier`, { tierId: ids.Silver });
    expect((await entries(f.api, other.id)).filter((e) => e.source?.type === 'tier').map((e) => e.points)).toEqual([100]);
    // Paid once: the preview no longer announces it.
    await f.admin.put(`/api/v1/customers/${other.id}/tier`, { tierId: ids.Bronze });
    expect((await f.admin.get(`/api/v1/customers/${other.id}/tier/preview?tierId=${ids.Silver}`)).json()).toMatchObject({ direction: 'up', entryReward: null });
    expect((await f.admin.put(`/api/v1/customers/${other.id}/tier`, { tierId: ids.Silver, grantEntryReward: 'no' })).statusCode).toBe(400);
  });

  it('shows a pending calendar-year downgrade with its date, never below the manual tier', async () => {
    h.clock.set('2027-03-01T12:00:00Z');
    const f = await createOrgFixture(h, { timezone: 'America/New_York' });
    const ids = await setupTiers(f, { basis: 'amount_spent', window: 'calendar_year', graceDays: 10 }, [
      { name: 'Silver', threshold: '100.00' },
      { name: 'Gold', threshold: '500.00' },
    ]);
    const c = await createCustomer(f.api);
    await order(f.api, c.id, '600.00');
    expect((await view(f, c.id))?.downgradePending).toBeNull();

    // 2028: nothing spent yet; Gold holds on 2027's spend until 2029-01-01 + 10 days unless 2028 reaches it.
    h.clock.set('2028-02-01T12:00:00Z');
    await order(f.api, c.id, '150.00');
    expect((await view(f, c.id))?.downgradePending).toEqual({
      to: { id: ids.Silver, name: 'Silver' },
      at: '2029-01-11T05:00:00.000Z',
      reason: '150.00 USD in 2028 is below Gold (500.00 USD); unless it reaches 500.00 USD by 2028-12-31',
    });
    // A manual Gold is never lowered: nothing pending.
    const manual = await f.api.put(`/api/v1/customers/${c.id}/tier`, { tierId: ids.Gold });
    expect(manual.json().tier).toMatchObject({ name: 'Gold', manual: true, manualTier: { name: 'Gold' }, downgradePending: null });
    // Released: pending again, and the assessment applies it on that date, not before.
    await f.api.delete(`/api/v1/customers/${c.id}/tier/manual`);
    expect((await view(f, c.id))?.downgradePending?.at).toBe('2029-01-11T05:00:00.000Z');
    h.clock.set('2029-01-11T04:59:59Z');
    expect(await runTierAssessment(h.ctx, f.org.id)).toMatchObject({ downgraded: 0 });
    h.clock.set('2029-01-11T05:00:00Z');
    expect(await runTierAssessment(h.ctx, f.org.id)).toMatchObject({ downgraded: 1 });
    expect((await view(f, c.id))?.name).toBe('Silver');
  });

  it('shows a pending rolling-window downgrade on the day the qualifying orders leave the window, plus grace days', async () => {
    h.clock.set('2026-05-10T12:00:00Z');
    const f = await createOrgFixture(h);
    const ids = await setupTiers(f, { basis: 'orders_count', window: 'rolling_12_months', graceDays: 5 }, [{ name: 'Silver', threshold: 2 }]);
    const c = await createCustomer(f.api);
    await order(f.api, c.id, '5.00');
    h.clock.set('2026-06-10T12:00:00Z');
    await order(f.api, c.id, '5.00');
    expect(await view(f, c.id)).toMatchObject({ name: 'Silver' });
    const pending = (await view(f, c.id))!.downgradePending!;
    expect(pending.to).toBeNull();
    // The first order leaves the window just after 2027-05-10 12:00; 5 grace days later it applies.
    expect(new Date(pending.at).getTime() - Date.parse('2027-05-15T12:00:00Z')).toBeGreaterThanOrEqual(0);
    expect(new Date(pending.at).getTime() - Date.parse('2027-05-15T12:00:00Z')).toBeLessThan(1000);
    h.clock.set(new Date(new Date(pending.at).getTime() - 1000).toISOString());
    expect(await runTierAssessment(h.ctx, f.org.id)).toMatchObject({ downgraded: 0 });
    h.clock.set(pending.at);
    expect(await runTierAssessment(h.ctx, f.org.id)).toMatchObject({ downgraded: 1 });
    expect(ids.Silver).toBeDefined();
  });
});
