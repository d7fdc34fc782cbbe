import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, createOrgFixture, ENGINE, staffClient, type Harness } from '../helpers/harness.js';
import { createCustomer } from '../helpers/factories.js';
import { createRule, setMembership } from '../helpers/customer-ops-factories.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

describe(`membership change preview on ${ENGINE}`, () => {
  it('tells the welcome bonus a guest would get by becoming a member, once', async () => {
    const f = await createOrgFixture(h);
    await createRule(f, { kind: 'signup', name: 'Welcome bonus', points: 100 });
    const guest = await createCustomer(f.api, { accountState: 'guest' });
    const preview = (type: string) => f.admin.get(`/api/v1/customers/${guest.id}/membership/preview?type=${type}`);
    expect((await preview('member')).json()).toEqual({ from: 'guest', to: 'member', allowed: true, welcomeBonus: { points: 100, ruleName: 'Welcome bonus' } });
    expect((await preview('left')).json()).toEqual({ from: 'guest', to: 'left', allowed: true, welcomeBonus: null });
    expect((await preview('guest')).json()).toMatchObject({ allowed: false, welcomeBonus: null });
    const bad = await preview('vip');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('type');

    expect((await setMembership(f.api, guest.id, 'member')).statusCode).toBe(200);
    expect((await setMembership(f.api, guest.id, 'left')).statusCode).toBe(200);
    // Paid once: rejoining adds nothing more, and the preview says so.
    expect((await preview('member')).json()).toEqual({ from: 'left', to: 'member', allowed: true, welcomeBonus: null });

    const viewer = await staffClient(h, f.org.id, ['customers:read']);
    expect((await viewer.get(`/api/v1/customers/${guest.id}/membership/preview?type=member`)).statusCode).toBe(403);
    const other = await createOrgFixture(h);
    expect((await other.api.get(`/api/v1/customers/${guest.id}/membership/preview?type=member`)).statusCode).toBe(404);
  });
});
