import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/queue.js';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { apiKeyClient, createHarness, createOrgFixture, ENGINE, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';
import { adjust, balances, createCustomer, order } from '../helpers/factories.js';
import { createReward, redeem, setReferralRule, timelineRows } from '../helpers/rewards-factories.js';

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

/** Every text, varchar, char, json, jsonb and array column of every table in the database that contains a needle. */
async function whereFound(needles: string[]): Promise<string[]> {
  const cols = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
      and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')`.execute(h.ctx.db);
  expect(cols.rows.length).toBeGreaterThan(50);
  const found: string[] = [];
  for (const c of cols.rows) {
    for (const n of needles) {
      const hit = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(c.table_name)}
        where position(lower(${n}) in lower(${sql.ref(c.column_name)}::text)) > 0`.execute(h.ctx.db);
      if ((hit.rows[0]?.n ?? 0) > 0) found.push(`${c.table_name}.${c.column_name} has "${n}"`);
    }
  }
  return found;
}

describe(`GDPR erasure on ${ENGINE}`, () => {
  it('anonymizes a customer everywhere Patron stores them, keeping ledger amounts', async () => {
    const tag = randomBytes(4).toString('hex');
    const first = `Zelda${tag}`;
    const last = `Quartermaine${tag}`;
    const email = `Zelda.Q.${tag}@Example.com`;
    const phone = `+1 555 01${parseInt(tag, 16) % 100000}`;
    const externalId = `shop-${tag}`;
    await setReferralRule(h, a.org.id, 50);
    const created = await a.api.post(
      '/api/v1/customers',
      { externalId, email, firstName: first, lastName: last, phone, birthday: '1990-04-01', anniversary: '2015-06-20', accountState: 'registered' },
      { 'idempotency-key': `create-${tag}` },
    );
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    await a.admin.post(`/api/v1/customers`, { externalId, phone }, { 'idempotency-key': `update-${tag}` });
    await adjust(a.admin, id, 'add', 300, { reason: `Goodwill for ${first} ${last}`, customerMessage: `Sorry ${first}!` });
    await a.admin.put(`/api/v1/customers/${id}/note`, { text: `${first} ${last} called from ${phone} about ${email}` });
    const reward = await createReward(a.api, { pointsCost: 100 });
    await redeem(a.api, id, reward.id);
    await order(a.api, id, '20.00');
    const referrer = await createCustomer(a.api);
    const { code } = (await a.api.get(`/api/v1/customers/${referrer.id}/referral`)).json();
    const friend = await createCustomer(a.api, { email: `friend-${tag}@example.com` });
    await a.api.post('/api/v1/referrals', { code, friendCustomerId: friend.id });
    const { code: myCode } = (await a.api.get(`/api/v1/customers/${id}/referral`)).json();
    const store = await apiKeyClient(h, a.org.id, ['customers:write']);
    await store.client.put(`/api/v1/customers/${id}/notification-preferences`, { marketing: true });
    await a.api.put(`/api/v1/customers/${referrer.id}/note`, { text: `Referred ${email}` });
    await enqueue(h.ctx.db, { orgId: a.org.id, type: 'test.import', payload: { rows: [{ email, firstName: first, lastName: last }] }, runAt: h.clock.now() });
    const namesake = await createCustomer(a.api, { firstName: first, lastName: last, email: `other-${tag}@example.com` });
    const before = await balances(a.api, id);
    const entriesBefore = (await a.api.get(`/api/v1/customers/${id}/points/entries`)).json().items.map((e: { points: number }) => e.points);
    const needles = [email, `${first} ${last}`, first, last, phone];
    expect((await whereFound(needles)).length).toBeGreaterThan(5);

    const noPermission = await staffClient(h, a.org.id, ['customers:read', 'customers:write', 'points:adjust', 'rewards:issue', 'data:export']);
    const denied = await noPermission.post(`/api/v1/customers/${id}/anonymize`, { confirmEmail: email });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toContain('customers:anonymize');
    const wrong = await a.admin.post(`/api/v1/customers/${id}/anonymize`, { confirmEmail: 'someone@example.com' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.details.fields[0].field).toBe('confirmEmail');
    expect(wrong.body).not.toContain(email);

    const res = await a.admin.post(`/api/v1/customers/${id}/anonymize`, { confirmEmail: email.toUpperCase() }, { 'idempotency-key': `anon-${tag}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      name: 'Anonymous',
      email: `anonymized+${id}@invalid.patron`,
      phone: null,
      birthday: null,
      anniversary: null,
      note: null,
      externalId,
      allowedMembershipMoves: [],
      balances: before,
    });
    expect(res.json().anonymizedAt).toBe(h.clock.now().toISOString());

    // The other customer's own name stays theirs; everything else about this person is gone.
    const kept = await h.ctx.db.selectFrom('customers').select(['id', 'first_name', 'last_name']).where('org_id', '=', a.org.id).where('id', '=', namesake.id).executeTakeFirstOrThrow();
    expect(kept).toMatchObject({ first_name: first, last_name: last });
    const remaining = (await whereFound(needles)).filter((f) => !f.startsWith('customers.first_name') && !f.startsWith('customers.last_name'));
    expect(remaining).toEqual([]);
    await h.ctx.db.deleteFrom('customers').where('org_id', '=', a.org.id).where('id', '=', namesake.id).execute();
    expect(await whereFound(needles)).toEqual([]);

    expect(await balances(a.api, id)).toEqual(before);
    expect((await a.api.get(`/api/v1/customers/${id}/points/entries`)).json().items.map((e: { points: number }) => e.points)).toEqual(entriesBefore);
    expect((await a.api.get(`/api/v1/customers/${id}/referral`)).json().status).toBe('disabled');
    expect((await h.app.inject({ method: 'GET', url: `/r/${myCode}` })).cookies.find((k) => k.name === 'patron_ref')).toBeUndefined();
    const last1 = (await timelineRows(h, a.org.id, id)).at(-1)!;
    expect(last1).toMatchObject({ type: 'customer.anonymized', actor_type: 'user' });

    const refusals = [
      await a.api.put(`/api/v1/customers/${id}/note`, { text: 'x' }),
      await adjust(a.api, id, 'add', 5),
      await a.api.put(`/api/v1/customers/${id}/reporting`, { excluded: true }),
      await store.client.put(`/api/v1/customers/${id}/notification-preferences`, { tier: false }),
      await a.api.post(`/api/v1/customers/${id}/referral/regenerate`),
      await redeem(a.api, id, reward.id),
      await a.api.post('/api/v1/customers', { externalId, firstName: 'Back' }),
      await a.admin.post(`/api/v1/customers/${id}/anonymize`, { confirmEmail: `anonymized+${id}@invalid.patron` }),
    ];
    for (const r of refusals) {
      expect(r.statusCode, r.body).toBe(409);
      expect(r.json().error.code).toBe('CUSTOMER_ANONYMIZED');
    }
  });

  it('confirms with the customer id when the customer has no email', async () => {
    const c = await createCustomer(a.api, { email: null, firstName: 'Nomail', lastName: 'Person' });
    const wrong = await a.admin.post(`/api/v1/customers/${c.id}/anonymize`, { confirmEmail: 'x@example.com' });
    expect(wrong.json().error.message).toContain('customer id');
    const ok = await a.admin.post(`/api/v1/customers/${c.id}/anonymize`, { confirmEmail: c.id });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().name).toBe('Anonymous');
    const b = await createOrgFixture(h);
    const other = await createCustomer(a.api);
    expect((await b.admin.post(`/api/v1/customers/${other.id}/anonymize`, { confirmEmail: other.email })).statusCode).toBe(404);
  });
});

describe(`reporting flag and data export on ${ENGINE}`, () => {
  it('excludes a customer from reports and back, in the timeline', async () => {
    const c = await createCustomer(a.api);
    const viewer = await staffClient(h, a.org.id, ['customers:read']);
    const denied = await viewer.put(`/api/v1/customers/${c.id}/reporting`, { excluded: true });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.details.permission).toBe('customers:write');
    const res = await a.admin.put(`/api/v1/customers/${c.id}/reporting`, { excluded: true });
    expect(res.statusCode).toBe(200);
    expect(res.json().excludedFromReports).toBe(true);
    expect((await a.api.get(`/api/v1/customers/${c.id}`)).json().excludedFromReports).toBe(true);
    expect((await a.api.put(`/api/v1/customers/${c.id}/reporting`, { excluded: 'yes' })).statusCode).toBe(400);
    await a.api.put(`/api/v1/customers/${c.id}/reporting`, { excluded: false });
    const events = (await timelineRows(h, a.org.id, c.id)).filter((e) => e.type.startsWith('customer.reporting'));
    expect(events.map((e) => [e.type, e.actor_type])).toEqual([
      ['customer.reporting_excluded', 'user'],
      ['customer.reporting_included', 'api_key'],
    ]);
  });

  it('exports the customer data: profile, ledger, orders, coupons, referrals, timeline, note, preferences', async () => {
    const f = await createOrgFixture(h);
    await setReferralRule(h, f.org.id, 40);
    const c = await createCustomer(f.api, { firstName: 'Export', lastName: 'Me' });
    await adjust(f.api, c.id, 'add', 200);
    await f.api.put(`/api/v1/customers/${c.id}/note`, { text: 'Prefers phone' });
    const reward = await createReward(f.api, { pointsCost: 50 });
    const { coupon } = (await redeem(f.api, c.id, reward.id)).json();
    const o = (await order(f.api, c.id, '30.00')).json();
    await f.api.post(`/api/v1/orders/${o.id}/refunds`, { amount: { amount: '10.00', currency: 'USD' }, refundId: 'r-1' });
    const { code } = (await f.api.get(`/api/v1/customers/${c.id}/referral`)).json();
    const friend = await createCustomer(f.api);
    await f.api.post('/api/v1/referrals', { code, friendCustomerId: friend.id });

    const noExport = await staffClient(h, f.org.id, ['customers:read']);
    const denied = await noExport.get(`/api/v1/customers/${c.id}/export.json`);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.details.permission).toBe('data:export');
    const res = await f.admin.get(`/api/v1/customers/${c.id}/export.json`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="customer-${c.id}.json"`);
    const body = res.json();
    expect(body).toMatchObject({
      format: 'patron.customer-export.v1',
      organization: { id: f.org.id },
      profile: { id: c.id, name: 'Export Me', balances: { active: 150 + o.pointsEarned - 10, redeemed: 50 } },
      note: { text: 'Prefers phone' },
      notificationPreferences: { marketing: false },
      referrals: { link: { code, status: 'active' }, referrals: [{ referrerCustomerId: c.id, friendCustomerId: friend.id, status: 'pending' }] },
    });
    expect(body.ledger.map((e: { kind: string }) => e.kind)).toEqual(['manual_add', 'redeem', 'earn_order', 'order_reversal']);
    expect(body.orders).toEqual([expect.objectContaining({ id: o.id, total: { amount: '30.00', currency: 'USD' }, refunds: [expect.objectContaining({ refundId: 'r-1', amount: { amount: '10.00', currency: 'USD' } })] })]);
    expect(body.coupons).toEqual([expect.objectContaining({ id: coupon.id, code: coupon.code, status: 'active' })]);
    const types = body.timeline.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['customer.created', 'points.adjusted', 'note.updated', 'reward.redeemed', 'order.created', 'order.refunded', 'referral.created', 'customer.exported']));
    const exported = (await timelineRows(h, f.org.id, c.id)).find((e) => e.type === 'customer.exported')!;
    expect(exported.actor_type).toBe('user');
    expect((await a.api.get(`/api/v1/customers/${c.id}/export.json`)).statusCode).toBe(404);
  });
});
