import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../../src/db/tx.js';
import { runDateRewards } from '../../src/modules/rules/dates.service.js';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { createHarness, createOrgFixture, ENGINE, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';
import { adjust, balances, createCustomer } from '../helpers/factories.js';
import { createRule, entries, profile, setMembership, setProgram, setupTiers, timeline } from '../helpers/customer-ops-factories.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  const report = await verifyLedger(h.ctx.db, null);
  expect(report.mismatches).toEqual([]);
  await h.close();
});

const birthdayEntries = async (f: OrgFixture, customerId: string) =>
  (await entries(f.api, customerId)).filter((e) => e.kind === 'earn_rule' && e.explanation.includes('birthday rule'));

describe(`earning rules on ${ENGINE}`, () => {
  it('creates, lists, changes and deletes rules with settings:manage, validating each kind', async () => {
    h.clock.set('2026-03-10T12:00:00Z');
    const f = await createOrgFixture(h);
    const signup = await createRule(f, { kind: 'signup', points: 100, key: 'ignored' });
    expect(signup).toMatchObject({ kind: 'signup', key: 'signup', active: true, perCustomerLimit: null });
    const follow = await createRule(f, { kind: 'custom_action', key: 'instagram_follow', points: 50, perCustomerLimit: 1 });
    const referral = await createRule(f, { kind: 'referral', points: 500, config: { friendDiscount: { type: 'percentage', value: '10' } } });
    expect(referral).toMatchObject({ config: { friendDiscount: { type: 'percentage', value: '10' } } });
    const dup = await f.api.post('/api/v1/earning-rules', { kind: 'signup', name: 'Again', points: 5 });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.details.id).toBe(signup.id);
    for (const [body, field] of [
      [{ kind: 'custom_action', name: 'No key', points: 5 }, 'key'],
      [{ kind: 'birthday', name: 'Limited', points: 5, perCustomerLimit: 2 }, 'perCustomerLimit'],
      [{ kind: 'signup', name: 'Free', points: 0 }, 'points'],
      [{ kind: 'birthday', name: 'Gift', points: 5, config: { friendDiscount: { type: 'percentage', value: '5' } } }, 'friendDiscount'],
      [{ kind: 'referral', name: 'Too much', points: 5, config: { friendDiscount: { type: 'percentage', value: '150' } } }, 'friendDiscount.value'],
      [{ kind: 'weekly', name: 'Unknown', points: 5 }, 'kind'],
    ] as const) {
      const res = await f.api.post('/api/v1/earning-rules', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.message).toContain(field);
    }
    const viewer = await staffClient(h, f.org.id, ['viewer']);
    const page1 = (await viewer.get('/api/v1/earning-rules?limit=2')).json();
    expect(page1.items.map((r: { id: string }) => r.id)).toEqual([signup.id, follow.id]);
    const page2 = (await viewer.get(`/api/v1/earning-rules?limit=2&cursor=${page1.nextCursor}`)).json();
    expect(page2).toMatchObject({ items: [{ id: referral.id }], nextCursor: null });
    const denied = await viewer.patch(`/api/v1/earning-rules/${follow.id}`, { points: 60 });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toContain('settings:manage');
    expect((await f.api.patch(`/api/v1/earning-rules/${follow.id}`, { points: 60, perCustomerLimit: null })).json()).toMatchObject({ points: 60, perCustomerLimit: null });
    expect((await f.api.delete(`/api/v1/earning-rules/${referral.id}`)).statusCode).toBe(204);
    expect((await f.api.get(`/api/v1/earning-rules/${referral.id}`)).statusCode).toBe(404);
    const other = await createOrgFixture(h);
    expect((await other.api.get(`/api/v1/earning-rules/${signup.id}`)).statusCode).toBe(404);
  });
});

describe(`dates on ${ENGINE}`, () => {
  it('edits name, email, phone and dates with a timeline event, refusing bad input and anonymized customers', async () => {
    h.clock.set('2026-03-10T12:00:00Z');
    const f = await createOrgFixture(h);
    const c = await createCustomer(f.api, { birthday: '1990-05-01' });
    const res = await f.admin.patch(`/api/v1/customers/${c.id}`, { firstName: 'Ada', phone: '+1 555 0100', birthday: null, anniversary: '2015-06-20' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ firstName: 'Ada', phone: '+1 555 0100', birthday: null, anniversary: '2015-06-20' });
    const [event] = await timeline(h, f.org.id, c.id);
    expect(event).toMatchObject({ type: 'customer.updated', actor_type: 'user', payload: { changes: { first_name: 'changed', phone: 'set', birthday: 'removed', anniversary: 'set' } } });
    for (const [body, field] of [
      [{ birthday: '2030-01-01' }, 'birthday'],
      [{ birthday: '2026-02-30' }, 'birthday'],
      [{ anniversary: '20-06-2015' }, 'anniversary'],
      [{ email: 'not-an-email' }, 'email'],
      [{ externalId: 'x' }, 'externalId'],
    ] as const) {
      const bad = await f.api.patch(`/api/v1/customers/${c.id}`, body);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(bad.json().error.message).toContain(field);
    }
    const viewer = await staffClient(h, f.org.id, ['viewer']);
    expect((await viewer.patch(`/api/v1/customers/${c.id}`, { firstName: 'X' })).statusCode).toBe(403);
    await h.ctx.db.updateTable('customers').set({ anonymized_at: h.clock.now() }).where('org_id', '=', f.org.id).where('id', '=', c.id).execute();
    const anon = await f.api.patch(`/api/v1/customers/${c.id}`, { firstName: 'Back' });
    expect(anon.statusCode).toBe(409);
    expect(anon.json().error.code).toBe('CUSTOMER_ANONYMIZED');
  });

  it('rewards a birthday at most once per calendar year across date edits and job reruns, in the organization timezone', async () => {
    h.clock.set('2026-03-10T12:00:00Z'); // 2026-03-11 01:00 in Auckland
    const f = await createOrgFixture(h, { timezone: 'Pacific/Auckland' });
    await createRule(f, { kind: 'birthday', points: 200, name: 'Birthday treat' });
    const today = await createCustomer(f.api, { birthday: '1991-03-11' });
    const utcToday = await createCustomer(f.api, { birthday: '1991-03-10' });
    await h.scheduler.tick(true);
    await h.worker.drain();
    expect((await balances(f.api, today.id)).active).toBe(200);
    expect((await balances(f.api, utcToday.id)).active).toBe(0);
    const [entry] = await birthdayEntries(f, today.id);
    expect(entry).toMatchObject({ points: 200, actor: { type: 'system' } });
    expect((await timeline(h, f.org.id, today.id))[0]).toMatchObject({ type: 'rule.earned', actor_type: 'system' });
    expect(await runDateRewards(h.ctx, f.org.id)).toMatchObject({ birthdays: 0 });

    // Moving the birthday to tomorrow does not pay again this year.
    await f.api.patch(`/api/v1/customers/${today.id}`, { birthday: '1991-03-12' });
    h.clock.advanceDays(1);
    expect(await runDateRewards(h.ctx, f.org.id)).toMatchObject({ birthdays: 0 });
    // The ledger itself refuses a second birthday:<id>:2026 entry.
    const dupe = await h.ctx.db
      .insertInto('points_entries')
      .values({ ...(await h.ctx.db.selectFrom('points_entries').selectAll().where('org_id', '=', f.org.id).where('id', '=', entry!.id).executeTakeFirstOrThrow()), id: 'dupe-entry' })
      .execute()
      .then(() => null, (err: unknown) => err);
    expect(isUniqueViolation(dupe)).toBe(true);

    h.clock.set('2027-03-11T12:00:00Z'); // 2027-03-12 in Auckland
    await f.api.patch(`/api/v1/customers/${today.id}`, { birthday: '1991-03-12' });
    expect(await runDateRewards(h.ctx, f.org.id)).toMatchObject({ birthdays: 1 });
    expect(await birthdayEntries(f, today.id)).toHaveLength(2);
  });

  it('uses the tier birthday override, rewards anniversaries, and skips customers who cannot earn', async () => {
    h.clock.set('2026-06-20T12:00:00Z');
    const f = await createOrgFixture(h);
    await createRule(f, { kind: 'birthday', points: 200 });
    await createRule(f, { kind: 'anniversary', points: 80 });
    const ids = await setupTiers(f, { basis: 'points_earned', window: 'lifetime', graceDays: 0 }, [{ name: 'Gold', threshold: 1000, birthdayPoints: 500 }]);
    const gold = await createCustomer(f.api, { birthday: '1980-06-20' });
    await f.api.put(`/api/v1/customers/${gold.id}/tier`, { tierId: ids.Gold });
    const plain = await createCustomer(f.api, { birthday: '1980-06-20', anniversary: '2020-06-20' });
    const recent = await createCustomer(f.api, { anniversary: '2026-06-20' });
    const left = await createCustomer(f.api, { birthday: '1980-06-20' });
    await setMembership(f.api, left.id, 'left');
    const guest = await createCustomer(f.api, { birthday: '1980-06-20', accountState: 'guest' });
    expect(await runDateRewards(h.ctx, f.org.id)).toMatchObject({ birthdays: 2, anniversaries: 1, points: 780 });
    expect((await balances(f.api, gold.id)).active).toBe(500);
    expect((await birthdayEntries(f, gold.id))[0]!.explanation).toContain('Gold tier gives 500 points instead of 200');
    expect((await balances(f.api, plain.id)).active).toBe(280);
    expect((await balances(f.api, recent.id)).active).toBe(0);
    expect((await balances(f.api, left.id)).active).toBe(0);
    expect((await balances(f.api, guest.id)).active).toBe(0);
    await setProgram(f, { guestEarning: true });
    expect(await runDateRewards(h.ctx, f.org.id)).toMatchObject({ birthdays: 1, anniversaries: 0 });
    expect((await balances(f.api, guest.id)).active).toBe(200);
  });
});

describe(`custom actions on ${ENGINE}`, () => {
  it('triggers within the per-customer limit and removes once, reversing the points', async () => {
    h.clock.set('2026-03-10T12:00:00Z');
    const f = await createOrgFixture(h);
    await createRule(f, { kind: 'custom_action', key: 'instagram_follow', name: 'Instagram follow', points: 50, perCustomerLimit: 2 });
    const c = await createCustomer(f.api);
    const first = await f.admin.post(`/api/v1/customers/${c.id}/custom-actions`, { actionKey: 'instagram_follow' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ entry: { kind: 'earn_rule', points: 50, source: { type: 'custom_action' } }, balances: { active: 50 }, timesUsed: 1, limit: 2 });
    expect((await f.api.post(`/api/v1/customers/${c.id}/custom-actions`, { actionKey: 'instagram_follow' })).json().timesUsed).toBe(2);
    const third = await f.api.post(`/api/v1/customers/${c.id}/custom-actions`, { actionKey: 'instagram_follow' });
    expect(third.statusCode).toBe(409);
    expect(third.json().error).toMatchObject({ code: 'CUSTOM_ACTION_LIMIT_REACHED', details: { timesUsed: 2, limit: 2 } });
    expect(third.json().error.message).toContain('2 time(s)');

    const removed = await f.admin.delete(`/api/v1/customers/${c.id}/custom-actions/${first.json().entry.id}`);
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json()).toMatchObject({ entry: { kind: 'rule_reversal', points: -50 }, balances: { active: 50, reversed: 50 } });
    const twice = await f.api.delete(`/api/v1/customers/${c.id}/custom-actions/${first.json().entry.id}`);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toContain('already removed');
    // The removed one no longer counts toward the limit.
    expect((await f.api.post(`/api/v1/customers/${c.id}/custom-actions`, { actionKey: 'instagram_follow' })).json().timesUsed).toBe(2);
    const kinds = (await entries(f.api, c.id)).map((e) => e.kind);
    expect(kinds).toEqual(['earn_rule', 'rule_reversal', 'earn_rule', 'earn_rule']);
    const types = (await timeline(h, f.org.id, c.id)).map((e) => [e.type, e.actor_type]);
    expect(types.slice(0, 4)).toEqual([
      ['custom_action.triggered', 'api_key'],
      ['custom_action.removed', 'user'],
      ['custom_action.triggered', 'api_key'],
      ['custom_action.triggered', 'user'],
    ]);
    expect((await f.api.post(`/api/v1/customers/${c.id}/custom-actions`, { actionKey: 'tiktok_follow' })).statusCode).toBe(404);
    const adjustEntry = (await adjust(f.api, c.id, 'add', 5)).json().entry.id;
    expect((await f.api.delete(`/api/v1/customers/${c.id}/custom-actions/${adjustEntry}`)).statusCode).toBe(404);
  });

  it('refuses removing spent points unless clawback allows a negative balance', async () => {
    const f = await createOrgFixture(h);
    await createRule(f, { kind: 'custom_action', key: 'review', points: 40 });
    const c = await createCustomer(f.api);
    const t = (await f.api.post(`/api/v1/customers/${c.id}/custom-actions`, { actionKey: 'review' })).json();
    await adjust(f.api, c.id, 'deduct', 30);
    const refused = await f.api.delete(`/api/v1/customers/${c.id}/custom-actions/${t.entry.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'POINTS_INSUFFICIENT', details: { balance: 10, amount: 40, missing: 30 } });
    expect(refused.json().error.message).toContain('already spent');
    expect((await balances(f.api, c.id)).active).toBe(10);
    await setProgram(f, { clawbackPolicy: 'allow_negative' });
    const removed = await f.api.delete(`/api/v1/customers/${c.id}/custom-actions/${t.entry.id}`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json().balances.active).toBe(-30);
  });

  it('needs points:adjust, refuses customers who cannot earn, and keeps organizations apart', async () => {
    const f = await createOrgFixture(h);
    await createRule(f, { kind: 'custom_action', key: 'newsletter', points: 10 });
    const c = await createCustomer(f.api);
    const staff = await staffClient(h, f.org.id, ['customers:read', 'customers:write', 'tiers:manage']);
    const denied = await staff.post(`/api/v1/customers/${c.id}/custom-actions`, { actionKey: 'newsletter' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toContain('points:adjust');
    const t = (await f.api.post(`/api/v1/customers/${c.id}/custom-actions`, { actionKey: 'newsletter' })).json();
    expect((await staff.delete(`/api/v1/customers/${c.id}/custom-actions/${t.entry.id}`)).statusCode).toBe(403);
    await setMembership(f.api, c.id, 'left');
    const left = await f.api.post(`/api/v1/customers/${c.id}/custom-actions`, { actionKey: 'newsletter' });
    expect(left.statusCode).toBe(409);
    expect(left.json().error.code).toBe('MEMBERSHIP_RESTRICTED');
    const other = await createOrgFixture(h);
    await createRule(other, { kind: 'custom_action', key: 'newsletter', points: 10 });
    expect((await other.api.post(`/api/v1/customers/${c.id}/custom-actions`, { actionKey: 'newsletter' })).statusCode).toBe(404);
    expect((await other.api.delete(`/api/v1/customers/${c.id}/custom-actions/${t.entry.id}`)).statusCode).toBe(404);
    expect((await profile(f.api, c.id)).balances.active).toBe(10);
  });
});
