import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/db/ids.js';
import { refreshPass } from '../../src/modules/wallet/wallet.core.changes.js';
import type { PassChange, PassPlatform } from '../../src/modules/wallet/wallet.platforms.js';
import { contentHash, ensurePass, passByCardCode, passBySerial, passByToken, passContent, webAppUrl } from '../../src/modules/wallet/index.js';
import { createHarness, createOrgFixture, ENGINE, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';
import { adjust, createCustomer } from '../helpers/factories.js';
import { createReward } from '../helpers/rewards-factories.js';

let h: Harness;
let a: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
});
afterAll(async () => {
  await h.close();
});

describe(`wallet passes (core) on ${ENGINE}`, () => {
  it('issues one pass per member with a serial, a card code and a token found by its hash', async () => {
    const c = await createCustomer(a.api, { firstName: 'Ada', lastName: 'Lovelace' });
    const first = await ensurePass(h.ctx, a.org.id, c.id);
    expect(first.serialNumber).toMatch(/^[0-9a-f]{32}$/);
    expect(first.cardCode).toMatch(/^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{12}$/);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Simultaneous first uses give one pass.
    const again = await Promise.all([ensurePass(h.ctx, a.org.id, c.id), ensurePass(h.ctx, a.org.id, c.id)]);
    expect(again).toEqual([first, first]);
    const row = await h.ctx.db.selectFrom('wallet_passes').selectAll().where('org_id', '=', a.org.id).where('customer_id', '=', c.id).executeTakeFirstOrThrow();
    expect(row.token_sealed).not.toContain(first.token);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);

    const ref = { orgId: a.org.id, customerId: c.id, serialNumber: first.serialNumber };
    expect(await passByToken(h.ctx, first.token)).toEqual(ref);
    expect(await passByToken(h.ctx, `${first.token.slice(0, -1)}${first.token.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(await passByToken(h.ctx, 'short')).toBeNull();
    const typed = `${first.cardCode.slice(0, 4).toLowerCase()}-${first.cardCode.slice(4, 8)} ${first.cardCode.slice(8)}`;
    expect(await passByCardCode(h.ctx, a.org.id, typed)).toEqual(ref);
    expect(await passBySerial(h.ctx, a.org.id, first.serialNumber)).toEqual(ref);
    const b = await createOrgFixture(h);
    expect(await passByCardCode(h.ctx, b.org.id, first.cardCode)).toBeNull();
    expect(await passBySerial(h.ctx, b.org.id, first.serialNumber)).toBeNull();
  });

  it('refuses guests with 409 and unknown customers with 404', async () => {
    const guest = await createCustomer(a.api, { accountState: 'guest' });
    await expect(ensurePass(h.ctx, a.org.id, guest.id)).rejects.toMatchObject({ status: 409, code: 'MEMBERSHIP_RESTRICTED' });
    await expect(ensurePass(h.ctx, a.org.id, newId())).rejects.toMatchObject({ status: 404 });
    const count = await h.ctx.db.selectFrom('wallet_passes').select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', a.org.id).where('customer_id', '=', guest.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('computes what the pass shows, and its hash changes only when that changes', async () => {
    const c = await createCustomer(a.api, { firstName: 'Grace', lastName: 'Hopper' });
    const cheap = await createReward(a.api, { name: 'Free coffee', pointsCost: 100 });
    await createReward(a.api, { name: 'Free lunch', pointsCost: 500 });
    expect(cheap.name).toBe('Free coffee');
    const before = await passContent(h.ctx, a.org.id, c.id);
    const { token } = await ensurePass(h.ctx, a.org.id, c.id);
    expect(before).toMatchObject({
      orgId: a.org.id,
      customerId: c.id,
      organizationName: a.org.name,
      memberName: 'Grace Hopper',
      balance: 0,
      tierName: null,
      rewardsAvailable: [],
      terms: '',
      webAppUrl: webAppUrl(h.ctx, token),
      backgroundColor: '#1f2a44',
      foregroundColor: '#ffffff',
    });
    expect(webAppUrl(h.ctx, token)).toBe(`${(h.ctx.config.publicUrl ?? '').replace(/\/+$/, '')}/c/${token}`);
    expect(contentHash(await passContent(h.ctx, a.org.id, c.id))).toBe(contentHash(before));
    expect((await adjust(a.api, c.id, 'add', 150)).statusCode).toBe(201);
    const after = await passContent(h.ctx, a.org.id, c.id);
    expect(after.balance).toBe(150);
    expect(after.rewardsAvailable).toEqual(['Free coffee']);
    expect(contentHash(after)).not.toBe(contentHash(before));
  });

  it('answers the profile summary with the counts of pushes, taps and scans', async () => {
    const c = await createCustomer(a.api);
    const empty = await a.admin.get(`/api/v1/customers/${c.id}/wallet`);
    expect(empty.statusCode, empty.body).toBe(200);
    expect(empty.json()).toEqual({
      pass: null,
      apple: { configured: false, devices: 0 },
      google: { configured: false, saved: false },
      balance: 0,
      pushesSent: 0,
      pushesFailed: 0,
      clicks: 0,
      scans: 0,
      lastScanAt: null,
    });
    const pass = await ensurePass(h.ctx, a.org.id, c.id);
    await adjust(a.api, c.id, 'add', 40);
    const now = h.clock.now();
    const push = (status: 'sent' | 'failed') => ({ org_id: a.org.id, id: newId(), customer_id: c.id, message: 'Hello', status, reason: null, apple_devices: 1, google: false, campaign_id: null, created_by: null, finished_at: now, created_at: now });
    await h.ctx.db.insertInto('wallet_pushes').values([push('sent'), push('sent'), push('failed')]).execute();
    const interaction = (kind: 'scan' | 'tap', at: Date) => ({ org_id: a.org.id, id: newId(), customer_id: c.id, kind, platform: 'apple' as const, location: null, device: null, created_at: at });
    const lastScan = new Date(now.getTime() + 60_000);
    await h.ctx.db.insertInto('wallet_interactions').values([interaction('scan', now), interaction('scan', lastScan), interaction('tap', now)]).execute();
    await h.ctx.db.insertInto('wallet_apple_registrations').values({ org_id: a.org.id, device_library_id: 'device-1', serial_number: pass.serialNumber, push_token: 'ab', created_at: now, updated_at: now }).execute();
    const res = await a.admin.get(`/api/v1/customers/${c.id}/wallet`);
    expect(res.json()).toEqual({
      pass: { serialNumber: pass.serialNumber, cardCode: pass.cardCode, webAppUrl: webAppUrl(h.ctx, pass.token) },
      apple: { configured: false, devices: 1 },
      google: { configured: false, saved: false },
      balance: 40,
      pushesSent: 2,
      pushesFailed: 1,
      clicks: 1,
      scans: 2,
      lastScanAt: lastScan.toISOString(),
    });
    const viewer = await staffClient(h, a.org.id, ['customers:read']);
    expect((await viewer.get(`/api/v1/customers/${c.id}/wallet`)).statusCode).toBe(200);
    const none = await staffClient(h, a.org.id, []);
    expect((await none.get(`/api/v1/customers/${c.id}/wallet`)).statusCode).toBe(403);
    const b = await createOrgFixture(h);
    expect((await b.api.get(`/api/v1/customers/${c.id}/wallet`)).statusCode).toBe(404);
  });

  it('tells configured platforms what changed and whether the customer wants to hear of it, once per change', async () => {
    const c = await createCustomer(a.api);
    await createReward(a.api, { name: 'Tote bag', pointsCost: 300 });
    const told: PassChange[] = [];
    let failNext = false;
    const fake = (configured: boolean): PassPlatform => ({
      name: 'apple',
      configured: async () => configured,
      passChanged: async (_ctx, change) => {
        if (failNext) {
          failNext = false;
          throw new Error('platform unreachable');
        }
        told.push(change);
        return { platform: 'apple', delivered: 1, failed: 0 };
      },
      sendMessage: async () => ({ platform: 'apple', delivered: 0, failed: 0 }),
      status: async () => ({}),
    });
    const platforms = [fake(true), fake(false)];
    // No pass issued yet: nothing to tell.
    expect(await refreshPass(h.ctx, a.org.id, c.id, platforms)).toEqual([]);
    await ensurePass(h.ctx, a.org.id, c.id);
    // First look: the content is recorded (nothing to compare with, so no kinds).
    expect(await refreshPass(h.ctx, a.org.id, c.id, platforms)).toHaveLength(1);
    expect(told[0]!.kinds).toEqual([]);
    // Unchanged: nothing sent.
    expect(await refreshPass(h.ctx, a.org.id, c.id, platforms)).toEqual([]);
    expect(told).toHaveLength(1);

    await adjust(a.api, c.id, 'add', 350);
    expect(await refreshPass(h.ctx, a.org.id, c.id, platforms)).toEqual([{ platform: 'apple', delivered: 1, failed: 0 }]);
    expect(told[1]).toMatchObject({ kinds: ['balance', 'rewardAvailable'], notify: { balance: true, tier: true, rewardAvailable: true } });
    expect(told[1]!.previous!.balance).toBe(0);
    expect(told[1]!.current).toMatchObject({ balance: 350, rewardsAvailable: ['Free coffee', 'Tote bag'] });
    // The timeline says which rewards became redeemable, once.
    const redeemable = async () => (await h.ctx.db.selectFrom('activity_events').select(['summary', 'payload']).where('org_id', '=', a.org.id).where('customer_id', '=', c.id).where('type', '=', 'wallet.reward_available').execute());
    expect(await redeemable()).toEqual([{ summary: 'Rewards now redeemable: Free coffee, Tote bag (balance 350 points)', payload: { rewards: ['Free coffee', 'Tote bag'], balance: 350 } }]);

    // A platform that fails makes the delivery fail; the retry tells it again.
    await adjust(a.api, c.id, 'deduct', 10);
    failNext = true;
    await expect(refreshPass(h.ctx, a.org.id, c.id, platforms)).rejects.toThrow('platform unreachable');
    expect(told).toHaveLength(2);
    await refreshPass(h.ctx, a.org.id, c.id, platforms);
    expect(told).toHaveLength(3);
    expect(told[2]!.current.balance).toBe(340);
    expect(await refreshPass(h.ctx, a.org.id, c.id, platforms)).toEqual([]);
    expect(told).toHaveLength(3);
    // Still redeemable after the small deduction and the retry: no second line.
    expect(await redeemable()).toHaveLength(1);
  });
});
