import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { createHarness, createOrgFixture, ENGINE, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';
import { balances, createCustomer, order } from '../helpers/factories.js';
import { setReferralRule, timelineRows } from '../helpers/rewards-factories.js';

let h: Harness;
let a: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  await setReferralRule(h, a.org.id, 250, { friendDiscount: { type: 'percentage', value: '10' } });
});
afterAll(async () => {
  const report = await verifyLedger(h.ctx.db, null);
  expect(report.mismatches).toEqual([]);
  await h.close();
});

const visit = (code: string) => h.app.inject({ method: 'GET', url: `/r/${code}` });

async function trackedClicks(orgId: string, customerId: string) {
  return h.ctx.db.selectFrom('referral_clicks').selectAll().where('org_id', '=', orgId).where('referrer_customer_id', '=', customerId).execute();
}

describe(`referral links on ${ENGINE}`, () => {
  it('creates a member link on first read, with the public URL, friend discount and empty stats', async () => {
    const c = await createCustomer(a.api);
    const first = await a.admin.get(`/api/v1/customers/${c.id}/referral`);
    expect(first.statusCode, first.body).toBe(200);
    const link = first.json();
    expect(link).toMatchObject({
      status: 'active',
      friendDiscount: { code: null, offer: { type: 'percentage', value: '10' } },
      referrerReward: { points: 250 },
      stats: { clicks: 0, pending: 0, completed: 0, conversionRate: null },
    });
    expect(link.code).toMatch(/^[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$/);
    // Neither PATRON_PUBLIC_URL nor a storefront URL: the loopback address Patron listens on (never the Host header).
    expect(link.link).toBe(`http://localhost:${h.ctx.config.port}/r/${link.code}`);
    expect((await a.api.get(`/api/v1/customers/${c.id}/referral`)).json().code).toBe(link.code);
    h.ctx.config.publicUrl = 'https://loyalty.example.com/';
    try {
      expect((await a.api.get(`/api/v1/customers/${c.id}/referral`)).json().link).toBe(`https://loyalty.example.com/r/${link.code}`);
    } finally {
      h.ctx.config.publicUrl = undefined;
    }
    const guest = await createCustomer(a.api, { accountState: 'guest' });
    expect((await a.api.get(`/api/v1/customers/${guest.id}/referral`)).json()).toMatchObject({ status: 'none', code: null, link: null, unavailableReason: expect.stringContaining('guest') });
    const disableGuest = await a.api.post(`/api/v1/customers/${guest.id}/referral/disable`);
    expect(disableGuest.statusCode).toBe(422);
    const b = await createOrgFixture(h);
    expect((await b.api.get(`/api/v1/customers/${c.id}/referral`)).statusCode).toBe(404);
  });

  it('redirects /r/{code} to the landing URL, tracks only active links, and forgets regenerated codes', async () => {
    const f = await createOrgFixture(h);
    const c = await createCustomer(f.api);
    const { code } = (await f.api.get(`/api/v1/customers/${c.id}/referral`)).json();
    const first = await visit(code.toLowerCase());
    expect(first.statusCode).toBe(302);
    const cookie = first.cookies.find((k) => k.name === 'patron_ref');
    expect(cookie?.value).toBeTruthy();
    expect(first.headers.location).toBe(`/?patron_ref=${cookie!.value}`);

    const viewer = await staffClient(h, f.org.id, ['customers:read', 'customers:write']);
    expect((await viewer.put('/api/v1/referrals/settings', { landingUrl: 'https://shop.example.com/join' })).statusCode).toBe(403);
    expect((await f.api.put('/api/v1/referrals/settings', { landingUrl: 'javascript:alert(1)' })).json().error.message).toContain('landingUrl');
    const saved = await f.admin.put('/api/v1/referrals/settings', { landingUrl: 'https://shop.example.com/join?src=loyalty' });
    expect(saved.json()).toMatchObject({ landingUrl: 'https://shop.example.com/join?src=loyalty' });
    const second = await visit(code);
    expect(second.headers.location).toMatch(/^https:\/\/shop\.example\.com\/join\?src=loyalty&patron_ref=[0-9a-f-]{36}$/);

    const disabled = await viewer.post(`/api/v1/customers/${c.id}/referral/disable`);
    expect(disabled.json().status).toBe('disabled');
    const third = await visit(code);
    expect(third.statusCode).toBe(302);
    expect(third.headers.location).toBe('https://shop.example.com/join?src=loyalty');
    expect(third.cookies.find((k) => k.name === 'patron_ref')).toBeUndefined();
    const clicks = await trackedClicks(f.org.id, c.id);
    expect(clicks.map((k) => k.tracked).sort()).toEqual([false, true, true]);
    expect((await f.api.get(`/api/v1/customers/${c.id}/referral`)).json().stats.clicks).toBe(2);
    expect((await viewer.post(`/api/v1/customers/${c.id}/referral/activate`)).json().status).toBe('active');

    const regenerated = (await viewer.post(`/api/v1/customers/${c.id}/referral/regenerate`)).json();
    expect(regenerated.code).not.toBe(code);
    // A replaced code lands on the organization's landing page, tracking nothing; an unknown one on "/".
    const replaced = await visit(code);
    expect(replaced.statusCode).toBe(302);
    expect(replaced.headers.location).toBe('https://shop.example.com/join?src=loyalty');
    expect(replaced.cookies.find((k) => k.name === 'patron_ref')).toBeUndefined();
    expect((await visit(regenerated.code)).statusCode).toBe(302);
    expect((await visit('nonsense!')).headers.location).toBe('/');
    const friend = await createCustomer(f.api);
    const old = await f.api.post('/api/v1/referrals', { code, friendCustomerId: friend.id });
    expect(old.statusCode).toBe(404);
    expect(old.json().error.message).toContain('regenerated');
    const types = (await timelineRows(h, f.org.id, c.id)).filter((e) => e.type.startsWith('referral.')).map((e) => [e.type, e.actor_type]);
    expect(types).toEqual([
      ['referral.link_disabled', 'user'],
      ['referral.link_activated', 'user'],
      ['referral.link_regenerated', 'user'],
    ]);
  });

  it('edits the friend discount code and refuses bad ones', async () => {
    const c = await createCustomer(a.api);
    const set = await a.admin.put(`/api/v1/customers/${c.id}/referral/discount-code`, { code: 'FRIEND-10' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().friendDiscount.code).toBe('FRIEND-10');
    const bad = await a.api.put(`/api/v1/customers/${c.id}/referral/discount-code`, { code: 'has spaces' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('code');
    expect((await a.api.put(`/api/v1/customers/${c.id}/referral/discount-code`, { code: null })).json().friendDiscount.code).toBeNull();
    const viewer = await staffClient(h, a.org.id, ['customers:read']);
    const denied = await viewer.put(`/api/v1/customers/${c.id}/referral/discount-code`, { code: 'X1' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.details.permission).toBe('customers:write');
    const events = (await timelineRows(h, a.org.id, c.id)).filter((e) => e.type === 'referral.discount_code_changed');
    expect(events.map((e) => e.summary)).toEqual(['Friend discount code set to FRIEND-10', 'Friend discount code cleared']);
  });
});

describe(`referral lifecycle on ${ENGINE}`, () => {
  it('pending on signup, completed on the first order, crediting the referrer once, on both timelines', async () => {
    const referrer = await createCustomer(a.api);
    const { code } = (await a.api.get(`/api/v1/customers/${referrer.id}/referral`)).json();
    const clickId = (await visit(code)).cookies.find((k) => k.name === 'patron_ref')!.value;
    const friend = await createCustomer(a.api);
    const created = await a.api.post('/api/v1/referrals', { clickId, friendCustomerId: friend.id });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ status: 'pending', referrerCustomerId: referrer.id, friendCustomerId: friend.id, clickId });
    expect((await a.api.get(`/api/v1/customers/${referrer.id}/referral`)).json().stats).toMatchObject({ pending: 1, completed: 0, conversionRate: '0.0' });

    await order(a.api, friend.id, '40.00', { status: 'pending' });
    expect((await balances(a.api, referrer.id)).active).toBe(0);
    await order(a.api, friend.id, '40.00');
    expect(await balances(a.api, referrer.id)).toMatchObject({ active: 250, earned: 250 });
    await order(a.api, friend.id, '60.00');
    expect((await balances(a.api, referrer.id)).active).toBe(250);
    const entries = (await a.api.get(`/api/v1/customers/${referrer.id}/points/entries`)).json().items;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: 'earn_rule', points: 250, source: { type: 'referral', id: created.json().id } });
    const stored = await h.ctx.db.selectFrom('points_entries').select('unique_key').where('org_id', '=', a.org.id).where('id', '=', entries[0].id).executeTakeFirstOrThrow();
    expect(stored.unique_key).toBe(`referral:${created.json().id}:reward`);

    const friend2 = await createCustomer(a.api);
    await a.api.post('/api/v1/referrals', { code, friendCustomerId: friend2.id });
    expect((await a.api.get(`/api/v1/customers/${referrer.id}/referral`)).json().stats).toMatchObject({ clicks: 1, pending: 1, completed: 1, conversionRate: '50.0' });
    expect((await a.api.get(`/api/v1/customers/${referrer.id}`)).json().referralStats).toEqual({ clicks: 1, pending: 1, completed: 1, conversionRate: '50.0' });

    const mine = (await timelineRows(h, a.org.id, referrer.id)).filter((e) => e.type.startsWith('referral.'));
    expect(mine.map((e) => e.type)).toEqual(['referral.created', 'referral.completed', 'referral.created']);
    expect(mine[1]!.summary).toContain('+250 points');
    expect(mine.every((e) => e.actor_type === 'api_key')).toBe(true);
    const theirs = (await timelineRows(h, a.org.id, friend.id)).filter((e) => e.type.startsWith('referral.')).map((e) => e.type);
    expect(theirs).toEqual(['referral.joined', 'referral.completed']);
  });

  it('refuses self-referral, a second referral of the same friend, friends who already ordered and disabled links', async () => {
    const referrer = await createCustomer(a.api, { email: 'Sam.Referrer@example.com' });
    const { code } = (await a.api.get(`/api/v1/customers/${referrer.id}/referral`)).json();
    const self = await a.api.post('/api/v1/referrals', { code, friendCustomerId: referrer.id });
    expect(self.statusCode).toBe(422);
    expect(self.json().error.message).toContain('cannot refer themselves');
    const twin = await createCustomer(a.api, { email: 'sam.referrer@EXAMPLE.com' });
    const sameEmail = await a.api.post('/api/v1/referrals', { code, friendCustomerId: twin.id });
    expect(sameEmail.statusCode).toBe(422);
    expect(sameEmail.json().error.message).toContain('same email');
    const friend = await createCustomer(a.api);
    expect((await a.api.post('/api/v1/referrals', { code, friendCustomerId: friend.id })).statusCode).toBe(201);
    const other = await createCustomer(a.api);
    const { code: otherCode } = (await a.api.get(`/api/v1/customers/${other.id}/referral`)).json();
    const again = await a.api.post('/api/v1/referrals', { code: otherCode, friendCustomerId: friend.id });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('ALREADY_EXISTS');
    const shopper = await createCustomer(a.api);
    await order(a.api, shopper.id, '5.00');
    expect((await a.api.post('/api/v1/referrals', { code, friendCustomerId: shopper.id })).json().error.message).toContain('already placed an order');
    await a.api.post(`/api/v1/customers/${referrer.id}/referral/disable`);
    const late = await createCustomer(a.api);
    const viaDisabled = await a.api.post('/api/v1/referrals', { code, friendCustomerId: late.id });
    expect(viaDisabled.statusCode).toBe(422);
    expect(viaDisabled.json().error.message).toContain('disabled');
    const untracked = (await h.ctx.db.selectFrom('referral_clicks').select('id').where('org_id', '=', a.org.id).where('tracked', '=', false).execute()).length;
    await visit(code);
    const click = await h.ctx.db.selectFrom('referral_clicks').select('id').where('org_id', '=', a.org.id).where('tracked', '=', false).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect((await h.ctx.db.selectFrom('referral_clicks').select('id').where('org_id', '=', a.org.id).where('tracked', '=', false).execute()).length).toBe(untracked + 1);
    expect((await a.api.post('/api/v1/referrals', { clickId: click.id, friendCustomerId: late.id })).statusCode).toBe(422);
    const both = await a.api.post('/api/v1/referrals', { code, clickId: click.id, friendCustomerId: late.id });
    expect(both.statusCode).toBe(400);
    const b = await createOrgFixture(h);
    expect((await b.api.post('/api/v1/referrals', { code: otherCode, friendCustomerId: late.id })).statusCode).toBe(404);
    const viewer = await staffClient(h, a.org.id, ['customers:read']);
    expect((await viewer.post('/api/v1/referrals', { code: otherCode, friendCustomerId: late.id })).statusCode).toBe(403);
  });

  it('completes without points when the referrer left the program, saying why', async () => {
    const f = await createOrgFixture(h);
    await setReferralRule(h, f.org.id, 100);
    const referrer = await createCustomer(f.api);
    const { code } = (await f.api.get(`/api/v1/customers/${referrer.id}/referral`)).json();
    const friend = await createCustomer(f.api);
    await f.api.post('/api/v1/referrals', { code, friendCustomerId: friend.id });
    await h.ctx.db.updateTable('customers').set({ membership_type: 'left' }).where('org_id', '=', f.org.id).where('id', '=', referrer.id).execute();
    await order(f.api, friend.id, '10.00');
    expect((await balances(f.api, referrer.id)).active).toBe(0);
    const done = (await timelineRows(h, f.org.id, referrer.id)).find((e) => e.type === 'referral.completed')!;
    expect(done.summary).toContain('no points: the referrer left the program');
    expect((await f.api.get(`/api/v1/customers/${referrer.id}/referral`)).json().stats).toMatchObject({ completed: 1, pending: 0 });
  });
});

describe(`who a customer referred on ${ENGINE}`, () => {
  it('lists each friend with status, completing order and dates, newest first, with signed cursors', async () => {
    const referrer = await createCustomer(a.api);
    const { code } = (await a.api.get(`/api/v1/customers/${referrer.id}/referral`)).json();
    const friends = [];
    for (let i = 0; i < 3; i++) {
      const friend = await createCustomer(a.api, { firstName: `Friend${i}`, lastName: 'Referred' });
      expect((await a.api.post('/api/v1/referrals', { code, friendCustomerId: friend.id })).statusCode).toBe(201);
      friends.push(friend);
    }
    const first = (await order(a.api, friends[0]!.id, '30.00')).json() as { id: string; externalId: string };

    const page1 = await a.api.get(`/api/v1/customers/${referrer.id}/referrals?limit=2`);
    expect(page1.statusCode, page1.body).toBe(200);
    const body1 = page1.json() as { items: { friend: { id: string; name: string }; status: string; order: unknown; rewardPoints: number; completedAt: string | null }[]; nextCursor: string };
    expect(body1.items.map((r) => r.friend.id)).toEqual([friends[2]!.id, friends[1]!.id]);
    expect(body1.items[0]).toMatchObject({ status: 'pending', order: null, rewardPoints: 0, completedAt: null, friend: { name: 'Friend2 Referred' } });
    const page2 = (await a.api.get(`/api/v1/customers/${referrer.id}/referrals?limit=2&cursor=${body1.nextCursor}`)).json();
    expect(page2.nextCursor).toBeNull();
    expect(page2.items).toHaveLength(1);
    expect(page2.items[0]).toMatchObject({ friend: { id: friends[0]!.id }, status: 'completed', order: { id: first.id, externalId: first.externalId }, rewardPoints: 250 });
    expect(page2.items[0].completedAt).not.toBeNull();

    // The cursor belongs to this customer's list; a friend's own list is empty; other organizations see nothing.
    expect((await a.api.get(`/api/v1/customers/${friends[0]!.id}/referrals?cursor=${body1.nextCursor}`)).statusCode).toBe(400);
    expect((await a.api.get(`/api/v1/customers/${friends[0]!.id}/referrals`)).json().items).toEqual([]);
    const other = await createOrgFixture(h);
    expect((await other.api.get(`/api/v1/customers/${referrer.id}/referrals`)).statusCode).toBe(404);
  });
});
