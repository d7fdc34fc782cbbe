import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalCode } from '../../src/core/codes.js';
import { codeInUse } from '../../src/modules/referrals/referrals.repo.js';
import { createCustomer } from '../helpers/factories.js';
import { setMembership } from '../helpers/customer-ops-factories.js';
import { createHarness, createOrgFixture, ENGINE, type Harness, type OrgFixture } from '../helpers/harness.js';
import { setReferralRule } from '../helpers/rewards-factories.js';

let h: Harness;
let a: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  await setReferralRule(h, a.org.id, 100);
});
afterAll(async () => {
  await h.close();
});

const visit = (code: string) => h.app.inject({ method: 'GET', url: `/r/${code}`, headers: { host: 'attacker.example' } });

async function withConfig<T>(patch: Partial<typeof h.ctx.config>, fn: () => Promise<T>): Promise<T> {
  const saved = { ...h.ctx.config };
  Object.assign(h.ctx.config, patch);
  try {
    return await fn();
  } finally {
    Object.assign(h.ctx.config, saved);
  }
}

async function clicksOf(orgId: string, customerId: string) {
  return h.ctx.db.selectFrom('referral_clicks').select(['id', 'tracked']).where('org_id', '=', orgId).where('referrer_customer_id', '=', customerId).execute();
}

describe(`referral links on ${ENGINE}`, () => {
  it('are built from the storefront URL or PATRON_PUBLIC_URL, never from the Host header', async () => {
    const f = await createOrgFixture(h);
    const c = await createCustomer(f.api);
    const read = (host: string) => f.api.get(`/api/v1/customers/${c.id}/referral`, { host, 'x-forwarded-host': host });

    const local = (await read('attacker.example')).json();
    expect(local.link).toBe(`http://localhost:${h.ctx.config.port}/r/${local.code}`);

    await withConfig({ publicUrl: 'https://loyalty.example.com/' }, async () => {
      expect((await read('attacker.example')).json().link).toBe(`https://loyalty.example.com/r/${local.code}`);
      const saved = await f.admin.put('/api/v1/referrals/settings', { storefrontUrl: 'https://shop.example.com/rewards/' });
      expect(saved.statusCode, saved.body).toBe(200);
      expect(saved.json()).toMatchObject({ storefrontUrl: 'https://shop.example.com/rewards', landingUrl: null });
      expect((await read('attacker.example')).json().link).toBe(`https://shop.example.com/rewards/r/${local.code}`);
    });

    // A server reachable from other machines, with no public address configured: no link, and why.
    const g = await createOrgFixture(h);
    const d = await createCustomer(g.api);
    await withConfig({ host: '0.0.0.0', publicUrl: undefined }, async () => {
      const none = (await g.api.get(`/api/v1/customers/${d.id}/referral`, { host: 'attacker.example' })).json();
      expect(none.code).toMatch(/^\w{4}-\w{4}$/);
      expect(none.link).toBeNull();
      expect(none.unavailableReason).toContain('PATRON_PUBLIC_URL');
      expect(JSON.stringify(none)).not.toContain('attacker');
    });
  });

  it('accept only absolute http(s) landing and storefront URLs, changing nothing otherwise', async () => {
    const f = await createOrgFixture(h);
    const good = await f.admin.put('/api/v1/referrals/settings', { landingUrl: 'https://shop.example.com/join?src=loyalty' });
    expect(good.statusCode, good.body).toBe(200);
    for (const landingUrl of ['/\\evil.example', '//evil.example', '/join', '\\\\evil.example', 'https:\\\\evil.example', 'javascript:alert(1)', 'ftp://shop.example.com', 'https://user:pw@shop.example.com', 'https://shop.example.com/a b', 'shop.example.com', '']) {
      const res = await f.admin.put('/api/v1/referrals/settings', { landingUrl });
      expect(res.statusCode, landingUrl).toBe(400);
      expect(res.json().error.message, landingUrl).toMatch(/^landingUrl: /);
      expect(res.json().error.message).toContain('absolute http(s) URL');
    }
    const badBase = await f.admin.put('/api/v1/referrals/settings', { storefrontUrl: 'https://shop.example.com/?x=1' });
    expect(badBase.statusCode).toBe(400);
    expect(badBase.json().error.message).toMatch(/^storefrontUrl: /);
    expect((await f.admin.put('/api/v1/referrals/settings', {})).statusCode).toBe(400);
    expect((await f.admin.get('/api/v1/referrals/settings')).json()).toMatchObject({ landingUrl: 'https://shop.example.com/join?src=loyalty', storefrontUrl: null });

    // null clears the landing URL: visits then land on the storefront URL.
    await f.admin.put('/api/v1/referrals/settings', { landingUrl: null, storefrontUrl: 'https://shop.example.com' });
    const c = await createCustomer(f.api);
    const { code } = (await f.api.get(`/api/v1/customers/${c.id}/referral`)).json();
    expect((await visit(code)).headers.location).toMatch(/^https:\/\/shop\.example\.com\?patron_ref=[0-9a-f-]{36}$/);
  });

  it('send unknown and regenerated-away codes to the landing page, tracking nothing', async () => {
    const f = await createOrgFixture(h);
    await f.admin.put('/api/v1/referrals/settings', { landingUrl: 'https://shop.example.com/welcome' });
    const c = await createCustomer(f.api);
    const { code } = (await f.api.get(`/api/v1/customers/${c.id}/referral`)).json();
    const regenerated = (await f.api.post(`/api/v1/customers/${c.id}/referral/regenerate`)).json();
    const clicksBefore = (await clicksOf(f.org.id, c.id)).length;

    for (const old of [code, code.toLowerCase().replace('-', '')]) {
      const res = await visit(old);
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('https://shop.example.com/welcome');
      expect(res.cookies.find((k) => k.name === 'patron_ref')).toBeUndefined();
      expect(res.headers['cache-control']).toBe('no-store');
    }
    expect(await clicksOf(f.org.id, c.id)).toHaveLength(clicksBefore);
    // A replaced code is never handed to another link.
    expect(await codeInUse(h.ctx.db, canonicalCode(code)!)).toBe(true);

    for (const unknown of ['ZZZZ-ZZZZ', 'nonsense!', '%2F%2Fevil.example']) {
      const res = await visit(unknown);
      expect(res.statusCode, unknown).toBe(302);
      expect(res.headers.location, unknown).toBe('/');
      expect(res.cookies.find((k) => k.name === 'patron_ref')).toBeUndefined();
    }
    expect((await visit(regenerated.code)).headers.location).toMatch(/^https:\/\/shop\.example\.com\/welcome\?patron_ref=/);
  });

  it("start no referral through the link of a customer who left, until they are reinstated", async () => {
    const f = await createOrgFixture(h);
    await setReferralRule(h, f.org.id, 100);
    await f.admin.put('/api/v1/referrals/settings', { landingUrl: 'https://shop.example.com/' });
    const referrer = await createCustomer(f.api);
    const { code } = (await f.api.get(`/api/v1/customers/${referrer.id}/referral`)).json();
    // A click recorded while they were a member...
    const earlier = await visit(code);
    const clickId = earlier.cookies.find((k) => k.name === 'patron_ref')!.value;
    expect((await setMembership(f.api, referrer.id, 'left')).statusCode).toBe(200);

    const after = await visit(code);
    expect(after.statusCode).toBe(302);
    expect(after.headers.location).toBe('https://shop.example.com/');
    expect(after.cookies.find((k) => k.name === 'patron_ref')).toBeUndefined();
    expect((await clicksOf(f.org.id, referrer.id)).map((k) => k.tracked).sort()).toEqual([false, true]);
    const shown = (await f.api.get(`/api/v1/customers/${referrer.id}/referral`)).json();
    expect(shown.unavailableReason).toContain('left the program');

    const friend = await createCustomer(f.api);
    for (const body of [{ code }, { clickId }]) {
      const res = await f.api.post('/api/v1/referrals', { ...body, friendCustomerId: friend.id });
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(res.json().error.message).toContain('left the program');
    }
    expect(await h.ctx.db.selectFrom('referrals').select('id').where('org_id', '=', f.org.id).execute()).toEqual([]);

    expect((await setMembership(f.api, referrer.id, 'member')).statusCode).toBe(200);
    expect((await visit(code)).cookies.find((k) => k.name === 'patron_ref')).toBeDefined();
    expect((await f.api.post('/api/v1/referrals', { code, friendCustomerId: friend.id })).statusCode).toBe(201);
  });
});
