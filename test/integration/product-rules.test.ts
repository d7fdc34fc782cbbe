import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { adjust, balances, createCustomer } from '../helpers/factories.js';
import { entries, setMembership, timeline } from '../helpers/customer-ops-factories.js';
import { createHarness, createOrgFixture, ENGINE, type Client, type Harness, type OrgFixture } from '../helpers/harness.js';
import { createReward } from '../helpers/rewards-factories.js';

let h: Harness;
let a: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
});
afterAll(async () => {
  expect((await verifyLedger(h.ctx.db, null)).mismatches).toEqual([]);
  await h.close();
});

function uploadCsv(c: Client, kind: string, csv: string) {
  const boundary = '----patron-rules-boundary';
  const body =
    `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n${kind}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="dryRun"\r\n\r\nfalse\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="rows.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
  return c.request('POST', '/api/v1/imports', Buffer.from(body, 'utf8'), { 'content-type': `multipart/form-data; boundary=${boundary}` });
}

async function leftCustomerWith(points: number) {
  const c = await createCustomer(a.api);
  expect((await adjust(a.api, c.id, 'add', points)).statusCode).toBe(201);
  expect((await setMembership(a.api, c.id, 'left')).statusCode).toBe(200);
  return c;
}

describe(`a left customer's balance is frozen, on ${ENGINE}`, () => {
  it('refuses a staff addition with 422 saying how to reinstate them, and changes nothing', async () => {
    const c = await leftCustomerWith(120);
    const entriesBefore = (await entries(a.api, c.id)).length;
    const eventsBefore = (await timeline(h, a.org.id, c.id)).length;

    const res = await adjust(a.admin, c.id, 'add', 50, { countsTowardTier: true });
    expect(res.statusCode, res.body).toBe(422);
    const error = res.json().error;
    expect(error.code).toBe('RULE_REFUSED');
    expect(error.message).toContain('left the program');
    expect(error.message).toContain('frozen');
    expect(error.message).toContain(`POST /api/v1/customers/${c.id}/membership { "type": "member" }`);
    expect(error.details).toMatchObject({ membershipType: 'left', allowed: ['member'] });

    expect(await balances(a.api, c.id)).toMatchObject({ active: 120, adjusted: 120 });
    expect(await entries(a.api, c.id)).toHaveLength(entriesBefore);
    expect(await timeline(h, a.org.id, c.id)).toHaveLength(eventsBefore);

    // Reinstated, the same addition is accepted.
    expect((await setMembership(a.api, c.id, 'member')).statusCode).toBe(200);
    expect((await adjust(a.admin, c.id, 'add', 50)).statusCode).toBe(201);
    expect((await balances(a.api, c.id)).active).toBe(170);
  });

  it('refuses additions to left customers in a bulk action and a CSV import too, per customer', async () => {
    const gone = await leftCustomerWith(30);
    const member = await createCustomer(a.api);

    const job = await a.api.post('/api/v1/customers/points/bulk', { ids: [gone.id, member.id], direction: 'add', points: 5, reason: 'Goodwill' });
    expect(job.statusCode, job.body).toBe(202);
    await h.worker.drain();
    const outcomes = (await a.api.get(`/api/v1/customers/points/bulk/${job.json().jobId}/outcomes?limit=10`)).json().items as { customerId: string; status: string; code: string | null }[];
    expect(outcomes.find((o) => o.customerId === gone.id)).toMatchObject({ status: 'refused', code: 'RULE_REFUSED' });
    expect(outcomes.find((o) => o.customerId === member.id)).toMatchObject({ status: 'ok' });

    const imported = await uploadCsv(a.api, 'points', `customerId,points,reason\n${gone.id},25,Migration\n${member.id},25,Migration\n`);
    expect(imported.statusCode, imported.body).toBe(202);
    await h.worker.drain();
    const done = (await a.api.get(`/api/v1/imports/${imported.json().id}`)).json();
    expect(done).toMatchObject({ status: 'done', rowsApplied: 1 });
    expect(done.errors).toEqual([expect.objectContaining({ row: 2, problem: expect.stringContaining('RULE_REFUSED') })]);

    expect((await balances(a.api, gone.id)).active).toBe(30);
    expect((await balances(a.api, member.id)).active).toBe(30);
  });
});

describe(`giving rewards and friend discount codes, on ${ENGINE}`, () => {
  it('refuses to give a reward to a guest with 422, with or without its points, and issues nothing', async () => {
    const guest = await createCustomer(a.api, { accountState: 'guest' });
    expect((await a.api.get(`/api/v1/customers/${guest.id}`)).json().membershipType).toBe('guest');
    const reward = await createReward(a.api, { pointsCost: 10 });
    for (const deductPoints of [false, true]) {
      const res = await a.admin.post(`/api/v1/customers/${guest.id}/coupons`, { rewardId: reward.id, deductPoints });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error.code).toBe('RULE_REFUSED');
      expect(res.json().error.message).toContain('Guests cannot redeem');
      expect(res.json().error.message).toContain(`/api/v1/customers/${guest.id}/membership`);
    }
    expect((await a.api.get(`/api/v1/customers/${guest.id}/coupons`)).json().items).toEqual([]);

    // A member is still given one.
    const m = await createCustomer(a.api);
    expect((await a.admin.post(`/api/v1/customers/${m.id}/coupons`, { rewardId: reward.id, deductPoints: false })).statusCode).toBe(201);
  });

  it('keeps a friend discount code unique per organization (without case), atomically', async () => {
    const first = await createCustomer(a.api);
    const second = await createCustomer(a.api);
    const set = (id: string, code: string | null) => a.api.put(`/api/v1/customers/${id}/referral/discount-code`, { code });
    expect((await set(first.id, 'WELCOME-ANNA')).statusCode).toBe(200);

    for (const code of ['WELCOME-ANNA', 'welcome-anna']) {
      const taken = await set(second.id, code);
      expect(taken.statusCode, taken.body).toBe(409);
      expect(taken.json().error).toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'code', customerId: first.id } });
      expect(taken.json().error.message).toContain('already belongs to');
    }
    expect((await a.api.get(`/api/v1/customers/${second.id}/referral`)).json().friendDiscount.code).toBeNull();
    // The holder may set its own code again; once released, another customer may take it.
    expect((await set(first.id, 'welcome-anna')).statusCode).toBe(200);
    expect((await set(first.id, null)).statusCode).toBe(200);
    expect((await set(second.id, 'WELCOME-ANNA')).json().friendDiscount.code).toBe('WELCOME-ANNA');

    // Another organization may use the same code.
    const b = await createOrgFixture(h);
    const other = await createCustomer(b.api);
    expect((await b.api.put(`/api/v1/customers/${other.id}/referral/discount-code`, { code: 'WELCOME-ANNA' })).statusCode).toBe(200);

    // Two customers racing for one code: exactly one gets it.
    const racers = await Promise.all([createCustomer(a.api), createCustomer(a.api), createCustomer(a.api)]);
    const results = await Promise.all(racers.map((r) => set(r.id, 'RACE-CODE')));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409, 409]);
    const holders = await h.ctx.db.selectFrom('referral_links').select('customer_id').where('org_id', '=', a.org.id).where('friend_discount_code', '=', 'RACE-CODE').execute();
    expect(holders).toHaveLength(1);
  });
});
