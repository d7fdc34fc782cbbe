import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedTargets, MEMBERSHIP_TYPES, type MembershipType } from '../../src/core/membership.js';
import { AppError } from '../../src/errors.js';
import { assertCanRedeem } from '../../src/modules/membership/membership.service.js';
import { lockCustomer } from '../../src/modules/points/points.repo.js';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { createHarness, createOrgFixture, ENGINE, staffClient, unique, type Harness, type OrgFixture } from '../helpers/harness.js';
import { adjust, balances, createCustomer, order } from '../helpers/factories.js';
import { createRule, profile, setMembership, setProgram, timeline } from '../helpers/customer-ops-factories.js';

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

/** A customer of `f` with the given membership type (left customers are members who left). */
async function customerOfType(f: OrgFixture, type: MembershipType, extra: Record<string, unknown> = {}) {
  const c = await createCustomer(f.api, { accountState: type === 'guest' ? 'guest' : 'registered', ...extra });
  if (type === 'left') expect((await setMembership(f.api, c.id, 'left')).statusCode).toBe(200);
  expect((await profile(f.api, c.id)).membershipType).toBe(type);
  return c;
}

async function redeemCheck(f: OrgFixture, customerId: string): Promise<AppError | null> {
  const row = (await lockCustomer(h.ctx.db, f.org.id, customerId))!;
  try {
    assertCanRedeem(row);
    return null;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
}

describe(`membership on ${ENGINE}`, () => {
  it('allows exactly guest->member, guest->left, member->left, left->member and refuses the rest listing the allowed moves', async () => {
    for (const from of MEMBERSHIP_TYPES) {
      for (const to of MEMBERSHIP_TYPES) {
        const c = await customerOfType(a, from);
        const before = (await timeline(h, a.org.id, c.id)).length;
        const res = await setMembership(a.admin, c.id, to);
        const allowed = allowedTargets(from);
        if (allowed.includes(to)) {
          expect(res.statusCode, `${from} -> ${to}: ${res.body}`).toBe(200);
          expect(res.json().membershipType).toBe(to);
          const [event] = await timeline(h, a.org.id, c.id);
          expect(event).toMatchObject({ type: 'membership.changed', actor_type: 'user', payload: { from, to } });
        } else {
          expect(res.statusCode, `${from} -> ${to}`).toBe(409);
          const error = res.json().error;
          expect(error.code).toBe('MEMBERSHIP_TRANSITION_INVALID');
          expect(error.details).toEqual({ from, to, allowed });
          for (const move of allowed) expect(error.message).toContain(move);
          expect(error.message).toContain(`${from} -> ${to} is not allowed`);
          expect((await profile(a.api, c.id)).membershipType).toBe(from);
          expect(await timeline(h, a.org.id, c.id)).toHaveLength(before);
        }
      }
    }
  });

  it('keeps a left customer out of earning and spending, and restores the same balance on reinstatement', async () => {
    const c = await customerOfType(a, 'member');
    await adjust(a.api, c.id, 'add', 120);
    expect((await setMembership(a.api, c.id, 'left')).json().membershipType).toBe('left');
    const left = (await timeline(h, a.org.id, c.id))[0]!;
    expect(left.summary).toContain('120 points kept but frozen');
    const o = await order(a.api, c.id, '50.00');
    expect(o.statusCode).toBe(201);
    expect(o.json()).toMatchObject({ pointsEarned: 0, explanation: 'No points: the customer left the program' });
    const deduct = await adjust(a.api, c.id, 'deduct', 10);
    expect(deduct.statusCode).toBe(409);
    expect(deduct.json().error.code).toBe('MEMBERSHIP_RESTRICTED');
    expect(deduct.json().error.message).toContain('120 point(s) are kept but frozen');
    expect((await redeemCheck(a, c.id))?.code).toBe('MEMBERSHIP_RESTRICTED');
    expect(await balances(a.api, c.id)).toMatchObject({ active: 120, earned: 0 });

    const back = await setMembership(a.api, c.id, 'member');
    expect(back.json()).toMatchObject({ membershipType: 'member', balances: { active: 120 } });
    expect((await timeline(h, a.org.id, c.id))[0]!.summary).toContain('120 points usable again');
    expect(await redeemCheck(a, c.id)).toBeNull();
    expect((await adjust(a.api, c.id, 'deduct', 20)).statusCode).toBe(201);
    expect((await order(a.api, c.id, '10.00')).json().pointsEarned).toBe(10);
    expect((await balances(a.api, c.id)).active).toBe(110);
  });

  it('lets guests earn only when guest earning is on, and never redeem', async () => {
    const f = await createOrgFixture(h);
    const g = await customerOfType(f, 'guest');
    expect((await order(f.api, g.id, '30.00')).json()).toMatchObject({ pointsEarned: 0, explanation: 'No points: guests do not earn in this program' });
    await setProgram(f, { guestEarning: true });
    expect((await order(f.api, g.id, '30.00')).json().pointsEarned).toBe(30);
    const refusal = await redeemCheck(f, g.id);
    expect(refusal?.code).toBe('MEMBERSHIP_RESTRICTED');
    expect(refusal?.message).toContain('Guests cannot redeem');
    // A guest's balance can still be corrected by staff.
    expect((await adjust(f.api, g.id, 'deduct', 5)).statusCode).toBe(201);
    expect((await balances(f.api, g.id)).active).toBe(25);
  });

  it('makes nobody a member automatically in manual-eligibility mode; staff do, and the signup rule pays once', async () => {
    const f = await createOrgFixture(h);
    await createRule(f, { kind: 'signup', points: 75 });
    const auto = await createCustomer(f.api, { accountState: 'registered' });
    expect(await profile(f.api, auto.id)).toMatchObject({ membershipType: 'member', balances: { active: 75 } });
    const autoEntries = (await f.api.get(`/api/v1/customers/${auto.id}/points/entries`)).json().items;
    expect(autoEntries).toHaveLength(1);
    expect(autoEntries[0]).toMatchObject({ kind: 'earn_rule', points: 75, source: { type: 'earning_rule' } });

    await setProgram(f, { membershipMode: 'manual' });
    const registered = await createCustomer(f.api, { accountState: 'registered' });
    expect(await profile(f.api, registered.id)).toMatchObject({ membershipType: 'guest', balances: { active: 0 } });
    const made = await setMembership(f.admin, registered.id, 'member');
    expect(made.json()).toMatchObject({ membershipType: 'member', balances: { active: 75 } });
    await setMembership(f.api, registered.id, 'left');
    await setMembership(f.api, registered.id, 'member');
    expect((await balances(f.api, registered.id)).active).toBe(75);
    const types = (await timeline(h, f.org.id, registered.id)).map((e) => e.type);
    expect(types.filter((t) => t === 'rule.earned')).toHaveLength(1);
    expect(types.filter((t) => t === 'membership.changed')).toHaveLength(3);
  });

  it('changes membership in bulk by ids with one outcome per customer', async () => {
    const f = await createOrgFixture(h);
    const other = await createOrgFixture(h);
    const g1 = await customerOfType(f, 'guest');
    const g2 = await customerOfType(f, 'guest');
    const m = await customerOfType(f, 'member');
    const anon = await customerOfType(f, 'guest');
    await h.ctx.db.updateTable('customers').set({ anonymized_at: h.clock.now() }).where('org_id', '=', f.org.id).where('id', '=', anon.id).execute();
    const foreign = await customerOfType(other, 'guest');
    const res = await f.admin.post('/api/v1/customers/membership/bulk', { ids: [g1.id, g2.id, m.id, anon.id, foreign.id], type: 'member' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ status: 'done', jobId: null, total: 5, changed: 2, refused: 3 });
    const byId = Object.fromEntries(body.outcomes.map((o: { customerId: string }) => [o.customerId, o]));
    expect(byId[g1.id]).toMatchObject({ status: 'ok', code: null });
    expect(byId[g2.id]).toMatchObject({ status: 'ok' });
    expect(byId[m.id]).toMatchObject({ status: 'refused', code: 'MEMBERSHIP_TRANSITION_INVALID' });
    expect(byId[m.id].message).toContain('member -> member is not allowed');
    expect(byId[anon.id]).toMatchObject({ status: 'refused', code: 'CUSTOMER_ANONYMIZED' });
    expect(byId[foreign.id]).toMatchObject({ status: 'refused', code: 'NOT_FOUND' });
    expect((await profile(other.api, foreign.id)).membershipType).toBe('guest');
    const [event] = await timeline(h, f.org.id, g1.id);
    expect(event).toMatchObject({ type: 'membership.changed', actor_type: 'user', payload: { from: 'guest', to: 'member', bulk: true } });

    const both = await f.api.post('/api/v1/customers/membership/bulk', { ids: [g1.id], filter: { membership: ['guest'] }, type: 'left' });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.message).toContain('ids');
    const none = await f.api.post('/api/v1/customers/membership/bulk', { type: 'left' });
    expect(none.statusCode).toBe(400);
  });

  it('changes membership in bulk by grid filter', async () => {
    const f = await createOrgFixture(h);
    const tag = unique('zebra').toLowerCase();
    const guests = [await customerOfType(f, 'guest', { firstName: tag }), await customerOfType(f, 'guest', { firstName: tag })];
    const member = await customerOfType(f, 'member', { firstName: tag });
    const unrelated = await customerOfType(f, 'guest');
    const res = await f.api.post('/api/v1/customers/membership/bulk', { filter: { search: tag, membership: ['guest', 'member'] }, type: 'left' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'done', total: 3, changed: 3, refused: 0 });
    for (const c of [...guests, member]) expect((await profile(f.api, c.id)).membershipType).toBe('left');
    expect((await profile(f.api, unrelated.id)).membershipType).toBe('guest');
    const again = await f.api.post('/api/v1/customers/membership/bulk', { filter: { search: tag }, type: 'guest' });
    expect(again.json()).toMatchObject({ changed: 0, refused: 3 });
    expect(again.json().outcomes[0].message).toContain('A customer who left can only move to member');
  });

  it('runs a large bulk change as a job with progress and a result', async () => {
    const f = await createOrgFixture(h);
    const tag = unique('bulkjob').toLowerCase();
    const ids: string[] = [];
    for (let i = 0; i < 104; i++) ids.push((await createCustomer(f.api, { accountState: 'guest', firstName: tag })).id);
    const member = await customerOfType(f, 'member', { firstName: tag });
    const res = await f.admin.post('/api/v1/customers/membership/bulk', { filter: { search: tag }, type: 'member' });
    expect(res.statusCode, res.body).toBe(202);
    const { jobId } = res.json();
    expect(res.json()).toMatchObject({ status: 'queued', total: 105 });
    expect((await f.api.get(`/api/v1/jobs/${jobId}`)).json().status).toBe('queued');
    await h.worker.drain();
    const job = (await f.api.get(`/api/v1/jobs/${jobId}`)).json();
    expect(job).toMatchObject({ status: 'done', progress: { processed: 105, changed: 104, refused: 1 }, result: { total: 105, changed: 104, refused: 1 } });
    expect(job.result.outcomes).toEqual([expect.objectContaining({ customerId: member.id, status: 'refused', code: 'MEMBERSHIP_TRANSITION_INVALID' })]);
    expect((await profile(f.api, ids[0]!)).membershipType).toBe('member');
    const [event] = await timeline(h, f.org.id, ids[103]!);
    expect(event).toMatchObject({ type: 'membership.changed', actor_type: 'user', payload: { jobId } });
  });

  it('requires customers:write and keeps organizations apart', async () => {
    const c = await customerOfType(a, 'guest');
    const viewer = await staffClient(h, a.org.id, ['viewer']);
    const denied = await setMembership(viewer, c.id, 'member');
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toContain('customers:write');
    expect((await viewer.post('/api/v1/customers/membership/bulk', { ids: [c.id], type: 'member' })).statusCode).toBe(403);
    const b = await createOrgFixture(h);
    expect((await setMembership(b.api, c.id, 'member')).statusCode).toBe(404);
    expect((await setMembership(a.api, c.id, 'member' as MembershipType)).statusCode).toBe(200);
    const bad = await a.api.post(`/api/v1/customers/${c.id}/membership`, { type: 'vip' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('type');
  });
});

describe('automatic membership on registration', () => {
  it('makes a guest a member when the platform account becomes registered, only in automatic mode', async () => {
    const h2 = await createHarness();
    try {
      const f = await createOrgFixture(h2);
      const g = await f.api.post('/api/v1/customers', { externalId: 'auto-1', email: 'auto1@example.com', accountState: 'guest' });
      expect(g.json().membershipType).toBe('guest');
      const reg = await f.api.post('/api/v1/customers', { externalId: 'auto-1', accountState: 'registered' });
      expect(reg.statusCode).toBe(200);
      expect(reg.json().membershipType).toBe('member');
      const events = (await f.api.get(`/api/v1/customers/${g.json().id}/activity?types=membership.changed`)).json();
      expect(events.items).toHaveLength(1);
      await f.api.patch('/api/v1/program', { membershipMode: 'manual' });
      await f.api.post('/api/v1/customers', { externalId: 'auto-2', accountState: 'guest' });
      const manual = await f.api.post('/api/v1/customers', { externalId: 'auto-2', accountState: 'registered' });
      expect(manual.json().membershipType).toBe('guest');
    } finally {
      await h2.close();
    }
  });
});
