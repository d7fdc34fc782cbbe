import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxDispatcher } from '../../src/events/dispatcher.js';
import type { ModuleCommandIo } from '../../src/modules/module.js';
import { shopifyModule } from '../../src/modules/shopify/shopify.module.js';
import { connectStore } from '../../src/modules/shopify/shopify.connection.js';
import { FakeShopify, webhookHeaders } from '../helpers/fake-shopify.js';
import { createHarness, createOrgFixture, ENGINE, type Harness, type OrgFixture } from '../helpers/harness.js';

/**
 * A connected store beyond the webhook inbox: refunds of discounted orders, rewards as
 * discount codes in the store (created, throttled, refused, retried, deactivated), codes
 * used at the checkout, the customer's Shopify card, data requests, shop/redact and the
 * backfill of the store's history — all against a local fake of the Admin API.
 */

let h: Harness;
let a: OrgFixture;
let fake: FakeShopify;
let dispatcher: OutboxDispatcher;
const SHOP = 'patron-sync.myshopify.com';
const SECRET = 'shpss_sync_client_secret_0123456789';
/** Above 2^53: JSON.parse would turn it into ...992. */
const BIG_CUSTOMER_ID = '9007199254740993';

const money = (amount: string) => `{"shop_money":{"amount":"${amount}","currency_code":"USD"},"presentment_money":{"amount":"${amount}","currency_code":"USD"}}`;

function send(topic: string, body: string) {
  const headers = webhookHeaders({ shop: SHOP, secret: SECRET, topic, body });
  return h.app.inject({ method: 'POST', url: '/webhooks/shopify', headers, payload: body });
}

async function drain(advanceMs = 0) {
  if (advanceMs) h.clock.advance(advanceMs);
  await h.worker.drain();
  await dispatcher.drain();
}

async function inbox() {
  return h.ctx.db.selectFrom('shopify_webhooks').selectAll().where('org_id', '=', a.org.id).orderBy('received_at').orderBy('id').execute();
}

function customerJson(id: string, extra = '') {
  return (
    `{"id":${id},"email":"shopper-${id}@example.com","first_name":"Ada","last_name":"Lovelace","state":"enabled","verified_email":true,"tags":"vip, newsletter",` +
    `"email_marketing_consent":{"state":"subscribed","opt_in_level":"confirmed_opt_in","consent_updated_at":"2026-02-01T10:00:00Z"},"sms_marketing_consent":null${extra}}`
  );
}

/**
 * An order of two 50.00 items with a 20.00 order discount spread 10.00 on each: subtotal
 * after discounts 80.00, shipping 10.00, tax 8.00, total 98.00.
 */
function discountedOrderJson(id: string, customerId: string, name: string, codes: string[] = []) {
  const line = (n: number) =>
    `{"id":${id}${n},"price":"50.00","price_set":${money('50.00')},"quantity":1,"total_discount":"0.00","discount_allocations":[{"amount":"10.00","amount_set":${money('10.00')}}],"tax_lines":[{"price":"4.00","price_set":${money('4.00')},"rate":0.1}]}`;
  return (
    `{"id":${id},"name":"${name}","currency":"USD","created_at":"2026-03-10T07:00:00-05:00","processed_at":"2026-03-10T07:00:00-05:00","financial_status":"paid",` +
    `"fulfillment_status":null,"cancelled_at":null,"taxes_included":false,"subtotal_price":"80.00","subtotal_price_set":${money('80.00')},` +
    `"total_discounts":"20.00","total_discounts_set":${money('20.00')},"total_shipping_price_set":${money('10.00')},"total_tax":"8.00","total_tax_set":${money('8.00')},` +
    `"total_price":"98.00","total_price_set":${money('98.00')},"discount_codes":${JSON.stringify(codes.map((code) => ({ code, amount: '20.00', type: 'fixed_amount' })))},` +
    `"line_items":[${line(1)},${line(2)}],"customer":${customerJson(customerId)}}`
  );
}

/** Refunds the first item: its subtotal after its discount is 40.00, its tax 4.00; 44.00 goes back. */
function partialRefundJson(id: string, orderId: string) {
  return (
    `{"id":${id},"order_id":${orderId},"created_at":"2026-03-11T10:00:00-05:00","note":"One mug broke","restock":true,` +
    `"refund_line_items":[{"id":${id}1,"line_item_id":${orderId}1,"quantity":1,"subtotal":40.0,"subtotal_set":${money('40.00')},"total_tax":4.0,"total_tax_set":${money('4.00')}}],` +
    `"transactions":[{"id":${id}2,"kind":"refund","status":"success","amount":"44.00","currency":"USD"}],"order_adjustments":[]}`
  );
}

async function customerByShopifyId(shopifyId: string): Promise<string> {
  const row = await h.ctx.db.selectFrom('customers').select('id').where('org_id', '=', a.org.id).where('external_id', '=', shopifyId).executeTakeFirstOrThrow();
  return row.id;
}

async function reward(body: Record<string, unknown>): Promise<string> {
  const r = await a.api.post('/api/v1/rewards', { pointsCost: 10, couponValidityDays: 30, ...body });
  expect(r.statusCode, r.body).toBe(201);
  return (r.json() as { id: string }).id;
}

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  dispatcher = new OutboxDispatcher(h.ctx);
  fake = await new FakeShopify().start();
  await connectStore(h.ctx, a.org.id, { shop: SHOP, clientId: 'client-id-sync', clientSecret: SECRET, accessToken: fake.accessToken, apiUrl: fake.url, publicUrl: 'https://loyalty.example.com' });
});
afterAll(async () => {
  await fake.stop();
  await h.close();
});

describe(`Shopify sync on ${ENGINE}`, () => {
  it('a partial refunds/create of a discounted order reverses points in proportion to the eligible amount refunded', async () => {
    const orderId = '9007199254745555000';
    await send('orders/paid', discountedOrderJson(orderId, BIG_CUSTOMER_ID, '#1001'));
    await drain();
    const customerId = await customerByShopifyId(BIG_CUSTOMER_ID);
    // 80.00 eligible (after discounts, without shipping and tax) at 1 point per USD.
    expect((await a.api.get(`/api/v1/customers/${customerId}`)).json().balances).toMatchObject({ earned: 80, active: 80 });
    const orders = (await a.api.get(`/api/v1/customers/${customerId}/orders`)).json().items;
    expect(orders[0]).toMatchObject({ externalId: orderId, number: '#1001', total: { amount: '98.00' }, eligibleAmount: { amount: '80.00' } });

    await send('refunds/create', partialRefundJson('9007199254746666000', orderId));
    await drain();
    // 40.00 of 80.00 eligible: 40 points back (money over total would give floor(80 x 44 / 98) = 35).
    expect((await a.api.get(`/api/v1/customers/${customerId}`)).json().balances).toMatchObject({ earned: 80, reversed: 40, active: 40 });
    const order = (await a.api.get(`/api/v1/orders/${orders[0].id}`)).json();
    expect(order).toMatchObject({ refunded: { amount: '44.00' }, eligibleRefunded: { amount: '40.00' }, pointsReversed: 40 });
    expect(order.refunds[0]).toMatchObject({ refundId: 'shopify:9007199254746666000', amount: { amount: '44.00' }, eligibleAmount: { amount: '40.00' }, pointsReversed: 40 });

    // The same refund again, and a second refund of the other item: never more than the order earned.
    await send('refunds/create', partialRefundJson('9007199254746666000', orderId));
    await send('refunds/create', partialRefundJson('9007199254746666001', orderId).replace(`"line_item_id":${orderId}1`, `"line_item_id":${orderId}2`));
    await drain();
    expect((await a.api.get(`/api/v1/customers/${customerId}`)).json().balances).toMatchObject({ reversed: 80, active: 0 });
  });

  it('the refund API takes an explicit eligible amount, refuses more than is left, and without one counts the money in the eligible-to-total proportion', async () => {
    const c = (await a.api.post('/api/v1/customers', { externalId: 'api-refund-1', email: 'api-refund@example.com', accountState: 'registered' })).json();
    const o = (await a.api.post('/api/v1/orders', { externalId: 'api-order-1', customerId: c.id, total: { amount: '100.00', currency: 'USD' }, eligibleAmount: { amount: '80.00', currency: 'USD' } })).json();
    expect(o.pointsEarned).toBe(80);
    const tooMuch = await a.api.post(`/api/v1/orders/${o.id}/refunds`, { amount: { amount: '10.00', currency: 'USD' }, eligibleAmount: { amount: '80.01', currency: 'USD' }, refundId: 'x' });
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json().error.message).toContain("80.00 USD of this order's eligible amount");
    const explicit = await a.api.post(`/api/v1/orders/${o.id}/refunds`, { amount: { amount: '22.00', currency: 'USD' }, eligibleAmount: { amount: '20.00', currency: 'USD' }, refundId: 'e1' });
    expect(explicit.statusCode).toBe(201);
    expect(explicit.json().refund).toMatchObject({ pointsReversed: 20, eligibleAmount: { amount: '20.00' } });
    // 50.00 of money without an eligible amount: cumulative 72.00 of 100.00 -> 57.60 eligible -> 37.60 more -> 37 points.
    const implicit = await a.api.post(`/api/v1/orders/${o.id}/refunds`, { amount: { amount: '50.00', currency: 'USD' }, refundId: 'i1' });
    expect(implicit.json().refund).toMatchObject({ pointsReversed: 37, eligibleAmount: { amount: '37.60' } });
    // The rest of the money takes the rest of the eligible amount and every point left.
    const rest = await a.api.post(`/api/v1/orders/${o.id}/refunds`, { amount: { amount: '28.00', currency: 'USD' }, refundId: 'r1' });
    expect(rest.json().order).toMatchObject({ pointsReversed: 80, eligibleRefunded: { amount: '80.00' }, refunded: { amount: '100.00' } });
  });

  it('redeeming a reward makes one discountCodeBasicCreate restricted to the customer; revoking deactivates it', async () => {
    const customerId = await customerByShopifyId(BIG_CUSTOMER_ID);
    await a.api.post(`/api/v1/customers/${customerId}/points/adjustments`, { direction: 'add', points: 500, reason: 'test' });
    const rewardId = await reward({ name: '5 USD off', type: 'fixed_amount', value: { amount: '5.00', currency: 'USD' }, minimumOrder: { amount: '20.00', currency: 'USD' } });
    const before = fake.callsTo('discountCodeBasicCreate').length;
    const redeemed = await a.api.post(`/api/v1/customers/${customerId}/redemptions`, { rewardId });
    expect(redeemed.statusCode, redeemed.body).toBe(201);
    const coupon = redeemed.json().coupon;
    expect(coupon.store).toBeNull(); // created after the redemption commits
    await drain();
    const calls = fake.callsTo('discountCodeBasicCreate').slice(before);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.variables.basicCodeDiscount as Record<string, unknown>;
    expect(input).toMatchObject({
      code: coupon.code,
      context: { customers: { add: [`gid://shopify/Customer/${BIG_CUSTOMER_ID}`] } },
      usageLimit: 1,
      appliesOncePerCustomer: true,
      endsAt: coupon.expiresAt,
      customerGets: { value: { discountAmount: { amount: '5.00', appliesOnEachItem: false } }, items: { all: true } },
      minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: '20.00' } },
    });
    const live = (await a.api.get(`/api/v1/coupons/${coupon.id}`)).json();
    expect(live.store).toMatchObject({ state: 'live', discountId: fake.discounts.get(coupon.code)!.id, error: null });
    // Delivered again (at-least-once): nothing more is created.
    await drain(60_000);
    expect(fake.callsTo('discountCodeBasicCreate').slice(before)).toHaveLength(1);

    const revoked = await a.api.post(`/api/v1/coupons/${coupon.id}/revoke`, { reason: 'test' });
    expect(revoked.statusCode, revoked.body).toBe(200);
    await drain();
    expect(fake.callsTo('discountCodeDeactivate').at(-1)!.variables).toEqual({ id: live.store.discountId });
    expect(fake.discounts.get(coupon.code)!.active).toBe(false);
    expect((await a.api.get(`/api/v1/coupons/${coupon.id}`)).json().store).toMatchObject({ state: 'deactivated', error: null });
  });

  it('percentage and free-shipping rewards: a throttled reply is retried after the wait the cost says', async () => {
    const customerId = await customerByShopifyId(BIG_CUSTOMER_ID);
    const percentId = await reward({ name: '12.5% off', type: 'percentage', percentOff: '12.5' });
    const shippingId = await reward({ name: 'Free shipping', type: 'free_shipping' });
    fake.throttleNext = 1;
    const p = (await a.api.post(`/api/v1/customers/${customerId}/redemptions`, { rewardId: percentId })).json().coupon;
    await drain();
    const created = fake.callsTo('discountCodeBasicCreate').filter((c) => (c.variables.basicCodeDiscount as { code: string }).code === p.code);
    expect(created).toHaveLength(2); // THROTTLED, then created
    expect((created[1]!.variables.basicCodeDiscount as { customerGets: unknown }).customerGets).toEqual({ value: { percentage: 0.125 }, items: { all: true } });
    expect((await a.api.get(`/api/v1/coupons/${p.id}`)).json().store.state).toBe('live');

    const s = (await a.api.post(`/api/v1/customers/${customerId}/redemptions`, { rewardId: shippingId })).json().coupon;
    await drain();
    const free = fake.callsTo('discountCodeFreeShippingCreate').at(-1)!.variables.freeShippingCodeDiscount as Record<string, unknown>;
    expect(free).toMatchObject({ code: s.code, destination: { all: true }, usageLimit: 1, context: { customers: { add: [`gid://shopify/Customer/${BIG_CUSTOMER_ID}`] } } });
    expect((await a.api.get(`/api/v1/coupons/${s.id}`)).json().store.state).toBe('live');
  });

  it('userErrors leave the code failed with the reason; staff retry it from the coupon history', async () => {
    const customerId = await customerByShopifyId(BIG_CUSTOMER_ID);
    const rewardId = await reward({ name: '3 USD off', type: 'fixed_amount', value: { amount: '3.00', currency: 'USD' } });
    fake.discountUserErrors = [{ field: ['basicCodeDiscount', 'endsAt'], code: 'INVALID', message: 'Ends at needs to be after starts_at' }];
    const c = (await a.api.post(`/api/v1/customers/${customerId}/redemptions`, { rewardId })).json().coupon;
    await drain();
    const failed = (await a.api.get(`/api/v1/coupons/${c.id}`)).json();
    expect(failed.store).toMatchObject({ state: 'failed', discountId: null, error: 'basicCodeDiscount.endsAt: Ends at needs to be after starts_at (INVALID)' });
    // A refusal is final: the outbox does not keep trying.
    const calls = fake.callsTo('discountCodeBasicCreate').length;
    await drain(60 * 60_000);
    expect(fake.callsTo('discountCodeBasicCreate').length).toBe(calls);

    const retried = await a.api.post(`/api/v1/coupons/${c.id}/store-sync`);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json().store).toMatchObject({ state: 'live', error: null });
    expect((await a.api.post(`/api/v1/coupons/${c.id}/store-sync`)).statusCode).toBe(409);
  });

  it('an order that carries a Patron coupon code marks the coupon used', async () => {
    const customerId = await customerByShopifyId(BIG_CUSTOMER_ID);
    const rewardId = await reward({ name: '2 USD off', type: 'fixed_amount', value: { amount: '2.00', currency: 'USD' } });
    const c = (await a.api.post(`/api/v1/customers/${customerId}/redemptions`, { rewardId })).json().coupon;
    await drain();
    await send('orders/paid', discountedOrderJson('9007199254747777000', BIG_CUSTOMER_ID, '#1002', [c.code.toLowerCase()]));
    await drain();
    const used = (await a.api.get(`/api/v1/coupons/${c.id}`)).json();
    expect(used).toMatchObject({ status: 'used', usedOrder: { externalId: '9007199254747777000' } });
  });

  it("the customer's Shopify card: admin link, account state, email verified, consent, last sync and last webhook", async () => {
    const id = '9007199254748888000';
    await send('customers/create', customerJson(id));
    await drain();
    const customerId = await customerByShopifyId(id);
    const delivery = (await inbox()).find((r) => r.topic === 'customers/create' && r.body.includes(id))!;
    const card = await a.api.get(`/api/v1/customers/${customerId}/shopify`);
    expect(card.statusCode).toBe(200);
    expect(card.body).toContain(`"shopifyId":"${id}"`);
    expect(card.json()).toMatchObject({
      linked: true,
      shop: SHOP,
      adminUrl: `https://admin.shopify.com/store/patron-sync/customers/${id}`,
      accountState: 'enabled',
      customerAccounts: 'classic',
      emailVerified: true,
      marketing: { email: 'subscribed', emailOptInLevel: 'confirmed_opt_in', emailUpdatedAt: '2026-02-01T10:00:00.000Z', sms: null },
      tags: ['vip', 'newsletter'],
      lastWebhook: { id: delivery.id, topic: 'customers/create' },
    });
    expect(card.json().lastSyncedAt).not.toBeNull();
    const plain = (await a.api.post('/api/v1/customers', { email: 'not-from-shopify@example.com' })).json();
    expect((await a.api.get(`/api/v1/customers/${plain.id}/shopify`)).json()).toMatchObject({ linked: false, shop: SHOP, adminUrl: null });
    expect((await a.api.get('/api/v1/customers/01890000-0000-7000-8000-000000000000/shopify')).statusCode).toBe(404);
  });

  it('customers/data_request prepares an export admins can download', async () => {
    await send('customers/data_request', `{"shop_id":954889,"shop_domain":"${SHOP}","orders_requested":[],"customer":{"id":${BIG_CUSTOMER_ID},"email":"shopper-${BIG_CUSTOMER_ID}@example.com"},"data_request":{"id":9999}}`);
    await send('customers/data_request', `{"shop_id":954889,"shop_domain":"${SHOP}","customer":{"id":123456},"data_request":{"id":10000}}`);
    await drain();
    // Both arrived at the same instant (a fixed clock): compare them by request id.
    const list = ((await a.admin.get('/api/v1/integrations/shopify/data-requests')).json().items as { id: string; status: string; requestId: string }[]).sort((x, y) =>
      x.requestId.localeCompare(y.requestId),
    );
    expect(list.map((r) => [r.requestId, r.status])).toEqual([
      ['10000', 'no_customer'],
      ['9999', 'ready'],
    ]);
    const file = await a.admin.get(`/api/v1/integrations/shopify/data-requests/${list[1]!.id}/export.json`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toContain('attachment; filename="customer-');
    expect(file.json()).toMatchObject({ format: 'patron.customer-export.v1', profile: { externalId: BIG_CUSTOMER_ID } });
    expect((await a.admin.get(`/api/v1/integrations/shopify/data-requests/${list[0]!.id}/export.json`)).statusCode).toBe(409);
  });

  it('backfill: customers and orders page by page as a job with progress; twice changes nothing; points only when asked', async () => {
    const node = (id: string, email: string) => ({
      id: `gid://shopify/Customer/${id}`,
      legacyResourceId: id,
      firstName: 'Old',
      lastName: 'Customer',
      state: 'ENABLED',
      verifiedEmail: true,
      tags: ['imported'],
      defaultEmailAddress: { emailAddress: email, marketingState: 'NOT_SUBSCRIBED', marketingOptInLevel: null, marketingUpdatedAt: null },
      defaultPhoneNumber: null,
    });
    const orderNode = (id: string, customer: ReturnType<typeof node>, amount: string) => ({
      id: `gid://shopify/Order/${id}`,
      legacyResourceId: id,
      name: `#${id.slice(-4)}`,
      createdAt: '2025-11-01T10:00:00Z',
      processedAt: '2025-11-01T10:00:00Z',
      cancelledAt: null,
      currencyCode: 'USD',
      taxesIncluded: false,
      displayFinancialStatus: 'PAID',
      displayFulfillmentStatus: 'FULFILLED',
      discountCodes: [],
      currentSubtotalPriceSet: { shopMoney: { amount, currencyCode: 'USD' } },
      currentTotalPriceSet: { shopMoney: { amount, currencyCode: 'USD' } },
      currentTotalTaxSet: { shopMoney: { amount: '0.00', currencyCode: 'USD' } },
      customer,
    });
    const customers = Array.from({ length: 60 }, (_, i) => node(`9007199254750000${String(i).padStart(3, '0')}`, `old-${i}@example.com`));
    fake.customerNodes = customers;
    fake.orderNodes = customers.slice(0, 55).map((c, i) => orderNode(`90071992547600${String(i).padStart(2, '0')}`, c, '10.00'));

    const started = await a.admin.post('/api/v1/integrations/shopify/backfills', {});
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json()).toMatchObject({ status: 'queued', awardPoints: false });
    expect((await a.admin.post('/api/v1/integrations/shopify/backfills', {})).statusCode).toBe(409);
    await drain();
    const done = (await a.admin.get(`/api/v1/integrations/shopify/backfills/${started.json().id}`)).json();
    expect(done).toMatchObject({ status: 'done', phase: 'done', customers: 60, orders: 55, ordersCreated: 55, pointsAwarded: 0 });
    const job = (await a.admin.get(`/api/v1/jobs/${started.json().jobId}`)).json();
    expect(job).toMatchObject({ status: 'done', progress: { phase: 'done', customers: 60, orders: 55 } });
    // Two pages each (50 + 10 customers, 50 + 5 orders).
    expect(fake.callsTo('PatronBackfillCustomers')).toHaveLength(2);
    expect(fake.callsTo('PatronBackfillOrders')).toHaveLength(2);
    const count = async (table: 'customers' | 'orders' | 'points_entries') =>
      Number((await h.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', a.org.id).executeTakeFirstOrThrow()).n);
    const first = { customers: await count('customers'), orders: await count('orders'), entries: await count('points_entries') };
    const oldId = await customerByShopifyId(customers[0]!.legacyResourceId);
    expect((await a.api.get(`/api/v1/customers/${oldId}`)).json()).toMatchObject({ balances: { earned: 0 }, orders: { count: 1 } });
    expect((await a.api.get(`/api/v1/customers/${oldId}/orders`)).json().items[0].explanation).toContain('No points');

    // The command, with --award-points, over the same history plus one new order: only the new order earns.
    fake.orderNodes = [...fake.orderNodes, orderNode('9007199254769999', customers[59]!, '25.00')];
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (t: string) => lines.push(t), withRuntime: (_c: unknown, fn: (rt: { ctx: typeof h.ctx }) => Promise<number>) => fn({ ctx: h.ctx }) } as unknown as ModuleCommandIo;
    const code = await shopifyModule.commands['shopify backfill'].run(h.ctx.config, { org: a.org.slug, 'award-points': true }, io);
    expect(code, lines.join('\n')).toBe(0);
    expect(lines.at(-1)).toBe('Backfill done: 60 customers, 56 orders, 1 new orders, 25 points awarded');
    expect({ customers: await count('customers'), orders: await count('orders') }).toEqual({ customers: first.customers, orders: first.orders + 1 });
    expect((await a.api.get(`/api/v1/customers/${oldId}`)).json().balances.earned).toBe(0);
    await expect(shopifyModule.commands['shopify backfill'].run(h.ctx.config, { org: a.org.slug, since: 'yesterday' }, io)).rejects.toThrow(/since: must be a date/);
    const settings = (await a.admin.get('/api/v1/integrations/shopify')).json();
    expect(settings.backfill).toMatchObject({ status: 'done', ordersCreated: 1, pointsAwarded: 25 });
    expect(settings.deliveries.failed).toBe(0);
  });

  it('shop/redact erases the personal data of every customer the store synced', async () => {
    const ids = (await h.ctx.db.selectFrom('shopify_customers').select('customer_id').where('org_id', '=', a.org.id).execute()).map((r) => r.customer_id);
    expect(ids.length).toBeGreaterThan(60);
    await send('shop/redact', `{"shop_id":954889,"shop_domain":"${SHOP}"}`);
    await drain();
    const row = (await inbox()).find((r) => r.topic === 'shop/redact')!;
    expect(row).toMatchObject({ status: 'processed' });
    expect(row.result).toMatchObject({ anonymized: ids.length });
    const left = await h.ctx.db.selectFrom('customers').select(['email']).where('org_id', '=', a.org.id).where('id', 'in', ids).where('anonymized_at', 'is', null).execute();
    expect(left).toEqual([]);
    expect(await h.ctx.db.selectFrom('shopify_customers').select('customer_id').where('org_id', '=', a.org.id).execute()).toEqual([]);
    const bodies = (await inbox()).map((r) => r.body).join('\n');
    expect(bodies).not.toContain('@example.com');
  });
});
