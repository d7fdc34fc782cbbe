import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStore } from '../../src/modules/shopify/shopify.connection.js';
import { FakeShopify, webhookHeaders } from '../helpers/fake-shopify.js';
import { createHarness, createOrgFixture, ENGINE, type Harness, type OrgFixture } from '../helpers/harness.js';

/**
 * Signed Shopify webhooks end to end: a local fake store for the Admin API, deliveries
 * signed here with the app's client secret, the worker processing the inbox, and the
 * results read back through Patron's API.
 */

let h: Harness;
let a: OrgFixture;
let fake: FakeShopify;
const SHOP = 'patron-test.myshopify.com';
const SECRET = 'shpss_test_client_secret_0123456789';
/** Above 2^53: JSON.parse would turn it into ...992. */
const BIG_CUSTOMER_ID = '9007199254740993';

interface Delivery {
  topic: string;
  body: string;
  webhookId?: string;
  eventId?: string;
  secret?: string;
  shop?: string;
}

function send(d: Delivery) {
  const headers = webhookHeaders({ shop: d.shop ?? SHOP, secret: d.secret ?? SECRET, topic: d.topic, body: d.body, ...(d.webhookId ? { webhookId: d.webhookId } : {}), ...(d.eventId ? { eventId: d.eventId } : {}) });
  return h.app.inject({ method: 'POST', url: '/webhooks/shopify', headers, payload: d.body });
}

async function inbox() {
  return h.ctx.db.selectFrom('shopify_webhooks').selectAll().where('org_id', '=', a.org.id).orderBy('received_at').orderBy('id').execute();
}

/** Runs due jobs, moving the clock past retry backoffs as needed. */
async function drain(advanceMs = 0) {
  if (advanceMs) h.clock.advance(advanceMs);
  await h.worker.drain();
}

function customerBody(id: string, extra: Record<string, unknown> = {}) {
  return { id: 0, email: `shopper-${id}@example.com`, first_name: 'Ada', last_name: 'Lovelace', phone: '+15555550123', state: 'enabled', verified_email: true, tags: 'vip', ...extra };
}

/** A Shopify order body; the id numbers are written as JSON numbers, like Shopify does. */
function orderJson(o: { id: string; customerId: string; subtotal: string; total: string; shipping?: string; tax?: string; financial?: string; name?: string; codes?: string[] }) {
  const customer = JSON.stringify(customerBody(o.customerId)).replace('"id":0', `"id":${o.customerId}`);
  const money = (amount: string) => `{"shop_money":{"amount":"${amount}","currency_code":"USD"},"presentment_money":{"amount":"${amount}","currency_code":"USD"}}`;
  return (
    `{"id":${o.id},"admin_graphql_api_id":"gid://shopify/Order/${o.id}","name":"${o.name ?? '#1001'}","currency":"USD","created_at":"2026-03-10T07:00:00-05:00",` +
    `"processed_at":"2026-03-10T07:00:00-05:00","financial_status":"${o.financial ?? 'paid'}","fulfillment_status":null,"cancelled_at":null,"taxes_included":false,` +
    `"subtotal_price":"${o.subtotal}","subtotal_price_set":${money(o.subtotal)},"total_price":"${o.total}","total_price_set":${money(o.total)},` +
    `"total_shipping_price_set":${money(o.shipping ?? '0.00')},"total_tax":"${o.tax ?? '0.00'}","total_tax_set":${money(o.tax ?? '0.00')},` +
    `"discount_codes":${JSON.stringify((o.codes ?? []).map((code) => ({ code, amount: '5.00', type: 'fixed_amount' })))},` +
    `"line_items":[{"id":${o.id}1,"price":"${o.subtotal}","quantity":1,"tax_lines":[]}],"customer":${customer}}`
  );
}

function refundJson(r: { id: string; orderId: string; subtotal: string; tax?: string }) {
  const money = (amount: string) => `{"shop_money":{"amount":"${amount}","currency_code":"USD"},"presentment_money":{"amount":"${amount}","currency_code":"USD"}}`;
  return (
    `{"id":${r.id},"order_id":${r.orderId},"created_at":"2026-03-11T10:00:00-05:00","note":"Damaged","restock":true,` +
    `"refund_line_items":[{"id":${r.id}7,"line_item_id":${r.orderId}1,"quantity":1,"subtotal":${Number(r.subtotal)},"subtotal_set":${money(r.subtotal)},"total_tax":${Number(r.tax ?? '0')},"total_tax_set":${money(r.tax ?? '0.00')}}],` +
    `"transactions":[{"id":${r.id}9,"kind":"refund","status":"success","amount":"${r.subtotal}","currency":"USD"}],"order_adjustments":[]}`
  );
}

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  fake = await new FakeShopify().start();
  fake.throttleNext = 1;
  await connectStore(h.ctx, a.org.id, { shop: SHOP, clientId: 'client-id-1', clientSecret: SECRET, accessToken: fake.accessToken, apiUrl: fake.url, publicUrl: 'https://loyalty.example.com' });
});
afterAll(async () => {
  await fake.stop();
  await h.close();
});

describe(`Shopify webhooks on ${ENGINE}`, () => {
  it('connects: reads the shop through the Admin API (after a throttled reply) and registers the subscriptions', async () => {
    expect(fake.calls[0]!.token).toBe(fake.accessToken);
    expect(fake.calls[0]!.version).toBe('2026-01');
    // The first call was throttled and retried.
    expect(fake.calls[0]!.query).toBe(fake.calls[1]!.query);
    const subs = fake.subscriptionCalls();
    expect(subs.map((s) => s.topic)).toEqual(['CUSTOMERS_CREATE', 'CUSTOMERS_UPDATE', 'CUSTOMERS_DELETE', 'ORDERS_CREATE', 'ORDERS_PAID', 'ORDERS_FULFILLED', 'ORDERS_CANCELLED', 'REFUNDS_CREATE', 'APP_UNINSTALLED']);
    expect(new Set(subs.map((s) => s.uri))).toEqual(new Set(['https://loyalty.example.com/webhooks/shopify']));
    const res = await a.admin.get('/api/v1/integrations/shopify');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'connected', shop: SHOP, customerAccounts: 'classic', scopes: fake.scopes, lastWebhookAt: null });
    expect(res.json().subscriptions.every((s: { id: string | null; error: string | null }) => s.id !== null && s.error === null)).toBe(true);
    // Secrets are stored sealed and never shown.
    expect(res.body).not.toContain(SECRET);
    expect(res.body).not.toContain(fake.accessToken);
    const row = await h.ctx.db.selectFrom('shopify_connections').selectAll().where('org_id', '=', a.org.id).executeTakeFirstOrThrow();
    expect(row.client_secret_sealed).toMatch(/^sealed:v1:/);
    expect(row.client_secret_sealed).not.toContain(SECRET);
    expect(row.access_token_sealed).not.toContain(fake.accessToken);
  });

  it('refuses a missing or wrong signature with 401 and stores nothing', async () => {
    const body = orderJson({ id: '5000000000000001', customerId: '77', subtotal: '10.00', total: '10.00' });
    const good = webhookHeaders({ shop: SHOP, secret: SECRET, topic: 'orders/paid', body });
    const attempts = [
      { ...good, 'x-shopify-hmac-sha256': webhookHeaders({ shop: SHOP, secret: 'another-secret', topic: 'orders/paid', body })['x-shopify-hmac-sha256']! },
      { ...good, 'x-shopify-hmac-sha256': '' },
      Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'x-shopify-hmac-sha256')),
      { ...good, 'x-shopify-hmac-sha256': 'not base64 !!' },
      { ...good, 'x-shopify-shop-domain': 'someone-else.myshopify.com' },
    ];
    for (const headers of attempts) {
      const res = await h.app.inject({ method: 'POST', url: '/webhooks/shopify', headers, payload: body });
      expect(res.statusCode, JSON.stringify(headers)).toBe(401);
    }
    // A body changed after signing.
    const tampered = await h.app.inject({ method: 'POST', url: '/webhooks/shopify', headers: good, payload: body.replace('"10.00"', '"99.00"') });
    expect(tampered.statusCode).toBe(401);
    expect(await inbox()).toEqual([]);
    expect(await h.ctx.db.selectFrom('jobs').select('id').where('org_id', '=', a.org.id).where('type', '=', 'shopify.webhook').execute()).toEqual([]);
    const metrics = await h.metrics.registry.metrics();
    expect(metrics).toMatch(/patron_http_requests_total\{method="POST",route="\/webhooks\/shopify",status_code="401"\} 6/);
  });

  it('an orders/paid for a customer whose id is above 2^53 earns once, with the id exact, even delivered 5 times at once', async () => {
    const body = orderJson({ id: '9007199254740999123', customerId: BIG_CUSTOMER_ID, subtotal: '90.00', total: '104.40', shipping: '7.20', tax: '7.20', name: '#1042' });
    const headers = webhookHeaders({ shop: SHOP, secret: SECRET, topic: 'orders/paid', body });
    const replies = await Promise.all(Array.from({ length: 5 }, () => h.app.inject({ method: 'POST', url: '/webhooks/shopify', headers, payload: body })));
    expect(replies.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(replies.filter((r) => r.json().duplicate === false)).toHaveLength(1);
    // The same event delivered to a second subscription (another webhook id, same event id).
    const again = await h.app.inject({ method: 'POST', url: '/webhooks/shopify', headers: { ...headers, 'x-shopify-webhook-id': 'another-subscription' }, payload: body });
    expect(again.json()).toEqual({ received: true, duplicate: true });
    expect(await inbox()).toHaveLength(1);
    await drain();

    const [delivery] = await inbox();
    expect(delivery).toMatchObject({ status: 'processed', topic: 'orders/paid', attempts: 1, error: null });
    const customerId = String((delivery!.result as { customerId: string }).customerId);
    const res = await a.api.get(`/api/v1/customers/${customerId}`);
    expect(res.body).toContain(`"externalId":"${BIG_CUSTOMER_ID}"`);
    expect(res.json().lastSyncedAt).not.toBeNull();
    expect(res.json()).toMatchObject({
      externalId: BIG_CUSTOMER_ID,
      email: `shopper-${BIG_CUSTOMER_ID}@example.com`,
      accountState: 'registered',
      emailVerified: true,
      membershipType: 'member',
      // Eligible amount: the 90.00 subtotal after discounts, not shipping or tax; 1 point per USD.
      balances: { earned: 90, active: 90 },
      orders: { count: 1 },
    });
    // The timeline says the store did it.
    const activity = (await a.api.get(`/api/v1/customers/${customerId}/activity`)).json().items as { type: string; actor: { type: string; name: string } }[];
    expect(activity.find((e) => e.type === 'order.created')?.actor).toMatchObject({ type: 'integration', name: `Shopify (${SHOP})` });
    const orders = (await a.api.get(`/api/v1/customers/${customerId}/orders`)).json().items;
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ externalId: '9007199254740999123', total: { amount: '104.40', currency: 'USD' }, eligibleAmount: { amount: '90.00' }, status: 'paid', pointsEarned: 90 });

    // Shopify's own retry of the same delivery, later: still one effect.
    expect((await send({ topic: 'orders/paid', body, webhookId: headers['x-shopify-webhook-id'] })).json().duplicate).toBe(true);
    await drain(60_000);
    expect((await a.api.get(`/api/v1/customers/${customerId}`)).json().balances.earned).toBe(90);
    const conn = (await a.admin.get('/api/v1/integrations/shopify')).json();
    expect(conn.lastWebhookAt).not.toBeNull();
  });

  it('a refund arriving before its order is retried until the order exists, then reverses in proportion', async () => {
    const orderId = '9007199254741111000';
    const refund = await send({ topic: 'refunds/create', body: refundJson({ id: '9007199254742222000', orderId, subtotal: '25.00' }) });
    expect(refund.statusCode).toBe(200);
    await drain();
    let [row] = (await inbox()).filter((r) => r.topic === 'refunds/create');
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row!.error).toContain(`Order ${orderId} has not been received yet`);

    await send({ topic: 'orders/paid', body: orderJson({ id: orderId, customerId: '424242', subtotal: '100.00', total: '100.00' }) });
    await drain(); // the order (the refund's retry is not due yet)
    await drain(10 * 60_000); // the refund's retry
    [row] = (await inbox()).filter((r) => r.topic === 'refunds/create');
    expect(row).toMatchObject({ status: 'processed', attempts: 2, error: null });
    expect(row!.result).toMatchObject({ amount: '25.00', pointsReversed: 25, refundId: '9007199254742222000' });
    const orderRow = (await inbox()).find((r) => r.topic === 'orders/paid' && (r.result as { orderId?: string }).orderId === (row!.result as { orderId: string }).orderId)!;
    const customerId = String((orderRow.result as { customerId: string }).customerId);
    expect((await a.api.get(`/api/v1/customers/${customerId}`)).json().balances).toMatchObject({ earned: 100, reversed: 25, active: 75 });

    // The same refund again (a retry from Shopify under a new delivery id): nothing more is reversed.
    await send({ topic: 'refunds/create', body: refundJson({ id: '9007199254742222000', orderId, subtotal: '25.00' }) });
    await drain();
    expect((await a.api.get(`/api/v1/customers/${customerId}`)).json().balances).toMatchObject({ reversed: 25, active: 75 });
  });

  it('customers/create and update sync the profile; customers/redact anonymizes', async () => {
    const id = '9007199254743333000';
    const created = `{"id":${id},"email":"Grace@Example.com","first_name":"Grace","last_name":"Hopper","phone":"+15555550999","state":"disabled","verified_email":false}`;
    await send({ topic: 'customers/create', body: created });
    await drain();
    const row = (await inbox()).find((r) => r.topic === 'customers/create')!;
    const customerId = String((row.result as { customerId: string }).customerId);
    expect((await a.api.get(`/api/v1/customers/${customerId}`)).json()).toMatchObject({ externalId: id, email: 'grace@example.com', accountState: 'guest', membershipType: 'guest' });

    await send({ topic: 'customers/update', body: created.replace('"disabled"', '"enabled"').replace('"verified_email":false', '"verified_email":true') });
    await drain();
    // Automatic membership: the account became registered, so the guest became a member.
    expect((await a.api.get(`/api/v1/customers/${customerId}`)).json()).toMatchObject({ accountState: 'registered', emailVerified: true, membershipType: 'member' });

    await send({ topic: 'customers/redact', body: `{"shop_id":954889,"shop_domain":"${SHOP}","customer":{"id":${id},"email":"grace@example.com","phone":"+15555550999"},"orders_to_redact":[]}` });
    await drain();
    const after = (await a.api.get(`/api/v1/customers/${customerId}`)).json();
    expect(after.anonymizedAt).not.toBeNull();
    expect(after.email).toBe(`anonymized+${customerId}@invalid.patron`);
    expect(after.firstName).toBe('Anonymous');
    // The stored deliveries no longer carry the person's data either.
    const bodies = (await inbox()).map((r) => r.body).join('\n');
    expect(bodies).not.toContain('Grace@Example.com');
    expect(bodies).not.toContain('+15555550999');

    // A later update for the anonymized customer changes nothing and is not an error.
    await send({ topic: 'customers/update', body: created });
    await drain();
    const last = (await inbox()).filter((r) => r.topic === 'customers/update').at(-1)!;
    expect(last).toMatchObject({ status: 'processed', result: { skipped: 'the customer was anonymized' } });
  });

  it('keeps a delivery that cannot be processed with its error; staff can retry it', async () => {
    const broken = `{"id":9007199254744444000,"currency":"USD","customer":{"id":55,"state":"enabled"}}`;
    await send({ topic: 'orders/create', body: broken });
    await drain();
    const row = (await inbox()).find((r) => r.topic === 'orders/create')!;
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.error).toContain('total_price_set');
    // Not retried on its own: the same body cannot succeed.
    const job = await h.ctx.db.selectFrom('jobs').selectAll().where('org_id', '=', a.org.id).where('type', '=', 'shopify.webhook').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    expect(job.status).toBe('done');

    const listed = await a.admin.get('/api/v1/integrations/shopify/webhooks?status=failed');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.map((w: { id: string }) => w.id)).toEqual([row.id]);
    const retried = await a.admin.post(`/api/v1/integrations/shopify/webhooks/${row.id}/retry`);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ id: row.id, status: 'received', error: null });
    await drain();
    expect((await inbox()).find((r) => r.id === row.id)).toMatchObject({ status: 'failed', attempts: 2 });

    const processed = (await inbox()).find((r) => r.status === 'processed')!;
    expect((await a.admin.post(`/api/v1/integrations/shopify/webhooks/${processed.id}/retry`)).statusCode).toBe(409);
    const staff = await a.api.get('/api/v1/integrations/shopify/webhooks');
    expect(staff.statusCode).toBe(200);
  });

  it('app/uninstalled marks the connection uninstalled; after a disconnect webhooks are refused', async () => {
    await send({ topic: 'app/uninstalled', body: `{"id":954889,"name":"Patron test","domain":"${SHOP}","myshopify_domain":"${SHOP}"}` });
    await drain();
    const conn = (await a.admin.get('/api/v1/integrations/shopify')).json();
    expect(conn).toMatchObject({ status: 'uninstalled', shop: SHOP });
    expect(conn.statusReason).toContain('uninstalled');
    const row = await h.ctx.db.selectFrom('shopify_connections').selectAll().where('org_id', '=', a.org.id).executeTakeFirstOrThrow();
    expect(row.access_token_sealed).toBeNull();
    // Compliance webhooks still arrive after uninstall (shop/redact comes 48 hours later).
    expect((await send({ topic: 'customers/data_request', body: `{"shop_id":954889,"customer":{"id":${BIG_CUSTOMER_ID}},"data_request":{"id":9999}}` })).statusCode).toBe(200);

    const disconnected = await a.admin.delete('/api/v1/integrations/shopify');
    expect(disconnected.statusCode).toBe(200);
    expect(disconnected.json()).toMatchObject({ status: 'disconnected' });
    const before = (await inbox()).length;
    expect((await send({ topic: 'customers/update', body: `{"id":1,"state":"enabled"}` })).statusCode).toBe(401);
    expect(await inbox()).toHaveLength(before);
    expect((await a.admin.delete('/api/v1/integrations/shopify')).statusCode).toBe(404);
  });
});
