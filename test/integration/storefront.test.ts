import { createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialSealer } from '../../src/modules/shopify/shopify.connection.js';
import { signCustomerToken } from '../../src/modules/storefront/index.js';
import { adjust, createCustomer } from '../helpers/factories.js';
import { createHarness, createOrgFixture, unique, type Harness, type OrgFixture } from '../helpers/harness.js';
import { createReward, timelineRows } from '../helpers/rewards-factories.js';

/**
 * The storefront API as a store's pages and backend use it: the publishable key, customer
 * tokens signed with the storefront secret, members, guests and customers who left, CORS,
 * redemption races and rate limits.
 */

let h: Harness;
let a: OrgFixture;
let b: OrgFixture;
let keyA: string;
let secretA: string;
let secretB: string;
const STORE = 'https://shop.example.com';
const P = '/api/storefront/v1';

const nowS = () => Math.floor(h.clock.now().getTime() / 1000);
const token = (sub: string, extra: Record<string, unknown> = {}, secret = secretA) => signCustomerToken({ sub, exp: nowS() + 600, ...extra }, secret);

function sf(method: 'GET' | 'POST' | 'PUT' | 'OPTIONS', path: string, opts: { token?: string; key?: string | null; body?: unknown; headers?: Record<string, string> } = {}): Promise<LightMyRequestResponse> {
  const key = opts.key === undefined ? keyA : opts.key;
  return h.app.inject({
    method,
    url: `${P}${path}`,
    headers: {
      ...(key ? { 'patron-publishable-key': key } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.headers ?? {}),
    },
    ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
  });
}

async function setup(f: OrgFixture, origins: string[]): Promise<{ key: string; secret: string }> {
  const settings = await f.admin.get('/api/v1/storefront/settings');
  expect(settings.statusCode).toBe(200);
  expect(settings.json().publishableKey).toMatch(/^pk_/);
  expect(settings.json().secretSet).toBe(false);
  const rotated = await f.admin.post('/api/v1/storefront/secret');
  expect(rotated.statusCode).toBe(201);
  expect((await f.admin.put('/api/v1/storefront/settings', { allowedOrigins: origins })).statusCode).toBe(200);
  return { key: settings.json().publishableKey, secret: rotated.json().secret };
}

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  b = await createOrgFixture(h);
  ({ key: keyA, secret: secretA } = await setup(a, [STORE]));
  ({ secret: secretB } = await setup(b, ['https://other.example.com']));
});
afterAll(async () => {
  await h?.close();
});

describe('storefront settings', () => {
  it('keeps the secret sealed, shows it once, and validates origins and theme', async () => {
    const row = await h.ctx.db.selectFrom('storefront_settings').selectAll().where('org_id', '=', a.org.id).executeTakeFirstOrThrow();
    expect(row.secret_sealed).toMatch(/^sealed:v1:/);
    expect(row.secret_sealed).not.toContain(secretA);
    const view = (await a.admin.get('/api/v1/storefront/settings')).json();
    expect(JSON.stringify(view)).not.toContain(secretA);
    expect(view).toMatchObject({ secretSet: true, allowedOrigins: [STORE] });
    const bad = await a.admin.put('/api/v1/storefront/settings', { allowedOrigins: ['https://shop.example.com/path'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields[0].field).toBe('allowedOrigins.0');
    const color = await a.admin.put('/api/v1/storefront/settings', { theme: { primaryColor: 'red' } });
    expect(color.statusCode).toBe(400);
    expect(color.json().error.message).toContain('theme.primaryColor');
    expect((await a.admin.get('/api/v1/storefront/settings')).json().allowedOrigins).toEqual([STORE]);
    const support = await (await import('../helpers/harness.js')).staffClient(h, a.org.id, ['customers:read']);
    expect((await support.get('/api/v1/storefront/settings')).statusCode).toBe(403);
  });
});

describe('customer tokens', () => {
  it('refuses forged, expired, foreign, unsigned and long-lived tokens with 401 and a code', async () => {
    const c = await createCustomer(a.api);
    expect((await sf('GET', '/me', { token: token(c.externalId) })).statusCode).toBe(200);
    const forged = await sf('GET', '/me', { token: token(c.externalId, {}, 'sk_not_the_secret') });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().error.code).toBe('TOKEN_INVALID');
    const expired = await sf('GET', '/me', { token: token(c.externalId, { exp: nowS() - 120 }) });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('TOKEN_EXPIRED');
    const tooLong = await sf('GET', '/me', { token: token(c.externalId, { exp: nowS() + 2 * 3600 }) });
    expect(tooLong.statusCode).toBe(401);
    expect(tooLong.json().error).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(tooLong.json().error.message).toContain('one hour');
    // Signed with organization B's secret, presented with organization A's key.
    const foreign = await sf('GET', '/me', { token: token(c.externalId, {}, secretB) });
    expect(foreign.statusCode).toBe(401);
    expect(foreign.json().error.code).toBe('TOKEN_INVALID');
    // alg "none": no signature at all.
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: c.externalId, exp: nowS() + 600 })}.`;
    const noneRes = await sf('GET', '/me', { token: none });
    expect(noneRes.statusCode).toBe(401);
    expect(noneRes.json().error.message).toContain('HS256');
    // HS512 header over a valid-looking HMAC: refused by its header.
    const h512 = `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64({ sub: c.externalId, exp: nowS() + 600 })}`;
    const sig = createHmac('sha256', secretA).update(h512).digest('base64url');
    expect((await sf('GET', '/me', { token: `${h512}.${sig}` })).json().error.code).toBe('TOKEN_INVALID');
    // A tampered payload.
    const good = token(c.externalId).split('.');
    const tampered = `${good[0]}.${b64({ sub: 'someone-else', exp: nowS() + 600 })}.${good[2]}`;
    expect((await sf('GET', '/me', { token: tampered })).json().error.code).toBe('TOKEN_INVALID');
    expect((await sf('GET', '/me', { token: token(c.externalId), key: 'pk_unknown' })).statusCode).toBe(401);
    expect((await sf('GET', '/me', { token: token(c.externalId), key: null })).statusCode).toBe(401);
  });

  it('creates a customer on first sight, as a member under automatic membership, attributed to the customer', async () => {
    const sub = unique('new-shopper');
    const res = await sf('GET', '/me', { token: token(sub, { email: `${sub}@example.com`, firstName: 'Nora', lastName: 'Quist' }) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ type: 'member', customer: { firstName: 'Nora' }, balance: { active: 0 } });
    const row = await h.ctx.db.selectFrom('customers').selectAll().where('org_id', '=', a.org.id).where('external_id', '=', sub).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ email: `${sub}@example.com`, membership_type: 'member', account_state: 'registered' });
    const events = await timelineRows(h, a.org.id, row.id);
    expect(events[0]).toMatchObject({ type: 'customer.created', actor_type: 'customer' });
  });

  it('refuses tokens signed with a rotated-out secret', async () => {
    const f = await createOrgFixture(h);
    const first = await setup(f, []);
    const c = await createCustomer(f.api);
    const old = signCustomerToken({ sub: c.externalId, exp: nowS() + 600 }, first.secret);
    expect((await sf('GET', '/me', { key: first.key, token: old })).statusCode).toBe(200);
    const rotated = (await f.admin.post('/api/v1/storefront/secret')).json().secret as string;
    expect(rotated).not.toBe(first.secret);
    expect((await sf('GET', '/me', { key: first.key, token: old })).json().error.code).toBe('TOKEN_INVALID');
    expect((await sf('GET', '/me', { key: first.key, token: signCustomerToken({ sub: c.externalId, exp: nowS() + 600 }, rotated) })).statusCode).toBe(200);
  });
});

describe('what each customer type sees', () => {
  it('a member sees balance, tier progress in words, rewards, visible history only, coupons and preferences', async () => {
    await a.api.put('/api/v1/tiers/settings', { basis: 'amount_spent', window: 'calendar_year', graceDays: 0 });
    const gold = await a.api.post('/api/v1/tiers', { name: 'Gold', threshold: '200.00' });
    expect(gold.statusCode).toBe(201);
    const cheap = await createReward(a.api, { name: 'Five off', pointsCost: 100 });
    const dear = await createReward(a.api, { name: 'Big one', pointsCost: 1000, value: { amount: '50.00', currency: 'USD' } });
    const c = await createCustomer(a.api, { firstName: 'Mia' });
    expect((await adjust(a.api, c.id, 'add', 300, { reason: 'INTERNAL: goodwill for ticket 4411', customerMessage: 'A thank-you from us', visibleToCustomer: true })).statusCode).toBe(201);
    expect((await adjust(a.api, c.id, 'add', 5, { reason: 'INTERNAL: hidden correction', visibleToCustomer: false })).statusCode).toBe(201);
    const order = await a.api.post('/api/v1/orders', { externalId: unique('order'), customerId: c.id, total: { amount: '20.00', currency: 'USD' } });
    expect(order.statusCode).toBe(201);

    const me = await sf('GET', '/me', { token: token(c.externalId) });
    expect(me.statusCode).toBe(200);
    const body = me.json();
    expect(body.type).toBe('member');
    expect(body.balance.active).toBe(325);
    expect(body.tier).toMatchObject({ current: null, next: { name: 'Gold' }, message: 'Spend $180.00 more by 31 Dec for Gold', progressPercent: 10 });
    const r1 = body.rewards.find((r: { id: string }) => r.id === cheap.id);
    const r2 = body.rewards.find((r: { id: string }) => r.id === dear.id);
    expect(r1).toMatchObject({ canRedeem: true, status: 'You can redeem', description: '$5.00 off' });
    expect(r2).toMatchObject({ canRedeem: false, pointsToGo: 675, status: '675 points to go' });
    const messages = body.history.map((e: { message: string }) => e.message);
    expect(messages).toContain('A thank-you from us');
    const text = me.body;
    expect(text).not.toContain('INTERNAL');
    expect(text).not.toContain('hidden correction');
    expect(text).not.toContain('actor');
    expect(body.history.some((e: { points: number }) => e.points === 5)).toBe(false);
    expect(body.preferences).toMatchObject({ balance: expect.any(Boolean), marketing: expect.any(Boolean) });
    expect(body.referral.stats).toEqual({ clicks: 0, pending: 0, completed: 0 });

    const program = (await sf('GET', '/program', { token: token(c.externalId) })).json();
    expect(program.tiers).toEqual([expect.objectContaining({ name: 'Gold', requirement: 'Spend $200.00 in a calendar year' })]);
    expect(program.waysToEarn[0]).toMatchObject({ kind: 'purchase', description: '1 point for every $1.00 you spend' });
  });

  it('a guest sees the program but no balance and cannot redeem (403 MEMBERS_ONLY); a visitor likewise', async () => {
    const reward = await createReward(a.api, { pointsCost: 10 });
    // Under manual membership a registered customer stays a guest until staff make them a member.
    await a.api.patch('/api/v1/program', { membershipMode: 'manual' });
    const g = await createCustomer(a.api);
    await a.api.patch('/api/v1/program', { membershipMode: 'automatic' });
    expect((await h.ctx.db.selectFrom('customers').select('membership_type').where('id', '=', g.id).executeTakeFirstOrThrow()).membership_type).toBe('guest');
    await adjust(a.api, g.id, 'add', 50, { reason: 'promo' });
    const me = await sf('GET', '/me', { token: token(g.externalId) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ type: 'guest', balance: null, pointsWaiting: null, coupons: [], history: [] });
    expect(me.json().message).toMatch(/Create an account/);
    expect(me.json().rewards.every((r: { canRedeem: boolean }) => !r.canRedeem)).toBe(true);
    const refused = await sf('POST', '/redemptions', { token: token(g.externalId), body: { rewardId: reward.id } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('MEMBERS_ONLY');
    expect((await h.ctx.db.selectFrom('coupons').select('id').where('org_id', '=', a.org.id).where('customer_id', '=', g.id).execute()).length).toBe(0);

    // Guest earning on: the points they keep when they register are shown.
    await a.api.patch('/api/v1/program', { guestEarning: true });
    expect((await sf('GET', '/me', { token: token(g.externalId) })).json().pointsWaiting).toBe(50);
    await a.api.patch('/api/v1/program', { guestEarning: false });

    const visitor = await sf('GET', '/me');
    expect(visitor.statusCode).toBe(200);
    expect(visitor.json()).toMatchObject({ type: 'guest', customer: null, balance: null });
    expect((await sf('GET', '/program')).statusCode).toBe(200);
    const anon = await sf('POST', '/redemptions', { body: { rewardId: reward.id } });
    expect(anon.statusCode).toBe(403);
    expect(anon.json().error.code).toBe('MEMBERS_ONLY');
  });

  it('a customer who left gets 403 NOT_IN_PROGRAM and nothing else, on every route', async () => {
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 500, { reason: 'seed' });
    expect((await a.api.post(`/api/v1/customers/${c.id}/membership`, { type: 'left' })).statusCode).toBe(200);
    const t = token(c.externalId);
    for (const [method, path, body] of [
      ['GET', '/me', undefined],
      ['GET', '/program', undefined],
      ['POST', '/redemptions', { rewardId: 'x' }],
      ['PUT', '/preferences', { marketing: true }],
      ['POST', '/referrals/share', { channel: 'copy' }],
    ] as const) {
      const res = await sf(method, path, { token: t, body });
      expect(res.statusCode, `${method} ${path}`).toBe(403);
      expect(Object.keys(res.json())).toEqual(['error']);
      expect(res.json().error.code).toBe('NOT_IN_PROGRAM');
      expect(res.body).not.toContain('500');
    }
  });
});

describe('redeeming', () => {
  it('a double click with one Idempotency-Key issues one coupon; both answers carry the same code', async () => {
    const reward = await createReward(a.api, { pointsCost: 100, name: 'Race reward' });
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 250, { reason: 'seed' });
    const t = token(c.externalId);
    const headers = { 'idempotency-key': unique('click') };
    const [one, two] = await Promise.all([
      sf('POST', '/redemptions', { token: t, body: { rewardId: reward.id }, headers }),
      sf('POST', '/redemptions', { token: t, body: { rewardId: reward.id }, headers }),
    ]);
    expect([one.statusCode, two.statusCode].sort()).toEqual([200, 201]);
    expect(one.json().coupon.code).toBe(two.json().coupon.code);
    const coupons = await h.ctx.db.selectFrom('coupons').selectAll().where('org_id', '=', a.org.id).where('customer_id', '=', c.id).execute();
    expect(coupons).toHaveLength(1);
    expect(coupons[0]).toMatchObject({ actor_type: 'customer', actor_id: c.id });
    const me = (await sf('GET', '/me', { token: t })).json();
    expect(me.balance.active).toBe(150);
    expect(me.coupons).toEqual([expect.objectContaining({ code: coupons[0]!.code, status: 'active' })]);
    const events = await timelineRows(h, a.org.id, c.id);
    expect(events.find((e) => e.type === 'reward.redeemed')).toMatchObject({ actor_type: 'customer', actor_id: c.id });
    // The same key with another body is refused; a new key redeems again.
    const other = await sf('POST', '/redemptions', { token: t, body: { rewardId: reward.id, points: 100 }, headers });
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const again = await sf('POST', '/redemptions', { token: t, body: { rewardId: reward.id }, headers: { 'idempotency-key': unique('click') } });
    expect(again.statusCode).toBe(201);
    const short = await sf('POST', '/redemptions', { token: t, body: { rewardId: reward.id }, headers: { 'idempotency-key': unique('click') } });
    expect(short.statusCode).toBe(409);
    expect(short.json().error.code).toBe('POINTS_INSUFFICIENT');
  });

  it('refuses an unknown field and an unknown reward without changing anything', async () => {
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 100, { reason: 'seed' });
    const t = token(c.externalId);
    const extra = await sf('POST', '/redemptions', { token: t, body: { rewardId: 'x', free: true } });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.details.fields[0].field).toBe('free');
    expect((await sf('POST', '/redemptions', { token: t, body: { rewardId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' } })).statusCode).toBe(404);
    expect((await sf('GET', '/me', { token: t })).json().balance.active).toBe(100);
  });
});

describe('preferences, shares and the referral landing', () => {
  it('the customer sets their own preferences; the timeline names the customer', async () => {
    const c = await createCustomer(a.api);
    const t = token(c.externalId);
    const before = (await sf('GET', '/me', { token: t })).json().preferences as { marketing: boolean; tier: boolean };
    const res = await sf('PUT', '/preferences', { token: t, body: { marketing: !before.marketing, tier: !before.tier } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ marketing: !before.marketing, tier: !before.tier });
    expect((await sf('GET', '/me', { token: t })).json().preferences).toMatchObject({ marketing: !before.marketing });
    const events = await timelineRows(h, a.org.id, c.id);
    expect(events.find((e) => e.type === 'preferences.updated')).toMatchObject({ actor_type: 'customer', actor_id: c.id });
    expect((await sf('PUT', '/preferences', { token: t, body: {} })).statusCode).toBe(400);
    expect((await sf('PUT', '/preferences', { body: { marketing: true } })).json().error.code).toBe('MEMBERS_ONLY');
  });

  it('records a share, and shows the landing offer of a tracked click', async () => {
    const c = await createCustomer(a.api, { firstName: 'Rita' });
    const t = token(c.externalId);
    expect((await sf('POST', '/referrals/share', { token: t, body: { channel: 'whatsapp' } })).statusCode).toBe(204);
    expect((await sf('POST', '/referrals/share', { token: t, body: { channel: 'pigeon' } })).statusCode).toBe(400);
    const events = await timelineRows(h, a.org.id, c.id);
    expect(events.find((e) => e.type === 'referral.shared')).toMatchObject({ actor_type: 'customer', summary: 'Referral link shared (whatsapp)' });
    const code = (await sf('GET', '/me', { token: t })).json().referral.code as string;
    const visit = await h.app.inject({ method: 'GET', url: `/r/${code}` });
    expect(visit.statusCode).toBe(302);
    const ref = new URL(visit.headers.location as string, 'http://x').searchParams.get('patron_ref')!;
    const landing = await sf('GET', `/referrals/landing?ref=${ref}`);
    expect(landing.json()).toMatchObject({ valid: true, referrerFirstName: 'Rita' });
    expect((await sf('GET', '/referrals/landing?ref=nope')).json()).toMatchObject({ valid: false, referrerFirstName: null });
  });

  it('an admin preview shows a chosen view and changes nothing', async () => {
    const c = await createCustomer(a.api);
    const p = await a.admin.post('/api/v1/storefront/preview-token', { customerId: c.id, view: 'left' });
    expect(p.statusCode).toBe(201);
    expect((await sf('GET', '/me', { token: p.json().token })).json().error.code).toBe('NOT_IN_PROGRAM');
    const m = (await a.admin.post('/api/v1/storefront/preview-token', { customerId: c.id, view: 'member' })).json();
    expect((await sf('GET', '/me', { token: m.token })).json()).toMatchObject({ type: 'member', preview: true });
    const write = await sf('PUT', '/preferences', { token: m.token, body: { marketing: false } });
    expect(write.statusCode).toBe(403);
    expect(write.json().error.code).toBe('PERMISSION_DENIED');
  });
});

describe('the widget script', () => {
  it('is served as one script any page may load, within its 35 KB gzipped budget', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/widget.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('javascript');
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(gzipSync(res.rawPayload, { level: 9 }).length).toBeLessThan(35 * 1024);
    // No third-party address: the widget talks only to the server it came from.
    expect(res.body).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  }, 60_000);
});

describe('CORS and rate limits', () => {
  it('answers CORS only for the configured origins, preflight included', async () => {
    const ok = await sf('GET', '/program', { headers: { origin: STORE } });
    expect(ok.headers['access-control-allow-origin']).toBe(STORE);
    expect(ok.headers['cross-origin-resource-policy']).toBe('cross-origin');
    const evil = await sf('GET', '/program', { headers: { origin: 'https://evil.example.com' } });
    expect(evil.statusCode).toBe(200);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    // Organization B's origin is not organization A's.
    expect((await sf('GET', '/program', { headers: { origin: 'https://other.example.com' } })).headers['access-control-allow-origin']).toBeUndefined();
    const pre = await h.app.inject({ method: 'OPTIONS', url: `${P}/me?key=${keyA}`, headers: { origin: STORE, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(STORE);
    expect(String(pre.headers['access-control-allow-headers'])).toContain('authorization');
    const preEvil = await h.app.inject({ method: 'OPTIONS', url: `${P}/me?key=${keyA}`, headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' } });
    expect(preEvil.headers['access-control-allow-origin']).toBeUndefined();
    expect(preEvil.headers['access-control-allow-headers']).toBeUndefined();
    // A refused token still carries CORS, so the page can read the 401.
    const refused = await sf('GET', '/me', { token: 'a.b.c', headers: { origin: STORE } });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(STORE);
  });

  it('limits requests per customer and per client address', async () => {
    const f = await createOrgFixture(h);
    const s = await setup(f, []);
    expect((await f.admin.put('/api/v1/storefront/settings', { rateLimits: { perCustomerPerMinute: 3, perIpPerMinute: 6 } })).statusCode).toBe(200);
    const c = await createCustomer(f.api);
    const t = signCustomerToken({ sub: c.externalId, exp: nowS() + 600 }, s.secret);
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await sf('GET', '/me', { key: s.key, token: t })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await sf('GET', '/me', { key: s.key, token: t });
    expect(limited.json().error).toMatchObject({ code: 'TOO_MANY_REQUESTS', details: { per: 'customer' } });
    // Visitors from the same address share its limit (5 requests counted so far, 6 allowed).
    const visitor = [];
    for (let i = 0; i < 2; i++) visitor.push((await sf('GET', '/program', { key: s.key })).statusCode);
    expect(visitor).toEqual([200, 429]);
    expect((await sf('GET', '/program', { key: s.key, headers: {} })).json().error.details.per).toBe('ip');
    // A new minute starts a new window.
    h.clock.advance(61_000);
    expect((await sf('GET', '/me', { key: s.key, token: t })).statusCode).toBe(200);
  });
});

describe('Shopify App Proxy', () => {
  it("identifies the store's signed-in customer from a signed proxy query and refuses a tampered one", async () => {
    const f = await createOrgFixture(h);
    const s = await setup(f, []);
    const now = h.clock.now();
    await h.ctx.db
      .insertInto('shopify_connections')
      .values({
        org_id: f.org.id,
        shop_domain: 'shop-name.myshopify.com',
        api_url: 'https://shop-name.myshopify.com/admin/api',
        api_version: '2025-10',
        scopes: [],
        client_id: 'client',
        client_secret_sealed: credentialSealer(h.ctx).seal('hush'),
        access_token_sealed: credentialSealer(h.ctx).seal('token'),
        customer_accounts: 'new',
        webhook_subscriptions: '[]',
        oauth_state_hash: null,
        oauth_state_expires_at: null,
        status: 'connected',
        status_reason: null,
        last_webhook_at: null,
        connected_at: now,
        updated_at: now,
      } as never)
      .execute();
    // Shopify's documented example (shared secret "hush"), at its timestamp.
    h.clock.set(new Date(1317327555 * 1000 + 10_000));
    try {
      const q = 'extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555&signature=4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb';
      const res = await h.app.inject({ method: 'GET', url: `${P}/me?${q}&key=${s.key}` });
      // The key is a parameter Shopify did not sign, so it goes in the header instead.
      expect(res.statusCode).toBe(401);
      const signed = await sf('GET', `/me?${q}`, { key: s.key });
      expect(signed.statusCode).toBe(200);
      expect(signed.json().type).toBe('member');
      const created = await h.ctx.db.selectFrom('customers').selectAll().where('org_id', '=', f.org.id).where('external_id', '=', '1').executeTakeFirstOrThrow();
      expect(created.membership_type).toBe('member');
      const tampered = await sf('GET', `/me?${q.replace('logged_in_customer_id=1', 'logged_in_customer_id=2')}`, { key: s.key });
      expect(tampered.statusCode).toBe(401);
      expect(tampered.json().error.code).toBe('TOKEN_INVALID');
      const anonymous =
        'extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555&signature=e072b6d7e6622d85912a5214b860d3100dc1e73d9bc29f43796ac8c9ff8093cb';
      expect((await sf('GET', `/me?${anonymous}`, { key: s.key })).json()).toMatchObject({ type: 'guest', customer: null });
      h.clock.set(new Date(1317327555 * 1000 + 3600_000));
      expect((await sf('GET', `/me?${q}`, { key: s.key })).json().error.code).toBe('TOKEN_EXPIRED');
    } finally {
      h.clock.set(new Date('2026-03-10T12:10:00Z'));
    }
  });
});
