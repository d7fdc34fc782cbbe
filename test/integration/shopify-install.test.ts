import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareInstall } from '../../src/modules/shopify/shopify.install.js';
import { connectStore } from '../../src/modules/shopify/shopify.connection.js';
import { FakeShopify, webhookHeaders } from '../helpers/fake-shopify.js';
import { createHarness, createOrgFixture, ENGINE, type Harness, type OrgFixture } from '../helpers/harness.js';

/** Installing the merchant's own app with the authorization-code grant, against a local fake store. */

let h: Harness;
let a: OrgFixture;
let b: OrgFixture;
let fake: FakeShopify;
const SHOP = 'install-test.myshopify.com';
const CLIENT_ID = 'app-client-id';
const SECRET = 'install-client-secret-0123456789';

/** The callback query Shopify sends, signed with the client secret like Shopify signs it. */
function signedCallback(params: Record<string, string>, secret = SECRET): string {
  const message = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  const hmac = createHmac('sha256', secret).update(message).digest('hex');
  return new URLSearchParams({ ...params, hmac }).toString();
}

async function startInstall(): Promise<URL> {
  const res = await h.app.inject({ method: 'GET', url: `/integrations/shopify/install?shop=${SHOP}` });
  expect(res.statusCode).toBe(302);
  return new URL(String(res.headers.location));
}

beforeAll(async () => {
  h = await createHarness();
  h.ctx.config = { ...h.ctx.config, publicUrl: 'https://loyalty.example.com' };
  a = await createOrgFixture(h);
  b = await createOrgFixture(h);
  fake = await new FakeShopify().start();
});
afterAll(async () => {
  await fake.stop();
  await h.close();
});

describe(`Shopify app install on ${ENGINE}`, () => {
  it('redirects to the authorization page with a state, then connects on a signed callback', async () => {
    const prepared = await prepareInstall(h.ctx, a.org.id, { shop: SHOP, clientId: CLIENT_ID, clientSecret: SECRET, apiUrl: fake.url });
    expect(prepared.installUrl).toBe(`https://loyalty.example.com/integrations/shopify/install?shop=${SHOP}`);
    expect((await a.admin.get('/api/v1/integrations/shopify')).json()).toMatchObject({ status: 'installing', shop: SHOP });

    const authorize = await startInstall();
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${fake.url}/admin/oauth/authorize`);
    expect(authorize.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(authorize.searchParams.get('scope')).toBe('read_customers,read_orders,write_discounts');
    expect(authorize.searchParams.get('redirect_uri')).toBe('https://loyalty.example.com/integrations/shopify/callback');
    const state = authorize.searchParams.get('state')!;
    expect(state.length).toBeGreaterThanOrEqual(32);

    const code = fake.issueCode(CLIENT_ID, SECRET);
    const query = signedCallback({ code, shop: SHOP, state, timestamp: String(Math.floor(h.clock.now().getTime() / 1000)), host: 'YWRtaW4uc2hvcGlmeS5jb20' });
    const done = await h.app.inject({ method: 'GET', url: `/integrations/shopify/callback?${query}` });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.body).toContain(`${SHOP} is connected`);
    const conn = (await a.admin.get('/api/v1/integrations/shopify')).json();
    expect(conn).toMatchObject({ status: 'connected', shop: SHOP, scopes: fake.scopes });
    // No public URL problem: the subscriptions point at this server.
    expect(new Set(fake.subscriptionCalls().map((s) => s.uri))).toEqual(new Set(['https://loyalty.example.com/webhooks/shopify']));

    // The state works once.
    const again = await h.app.inject({ method: 'GET', url: `/integrations/shopify/callback?${signedCallback({ code: fake.issueCode(CLIENT_ID, SECRET), shop: SHOP, state, timestamp: '1' })}` });
    expect(again.statusCode).toBe(401);
    // The connected store's webhooks are accepted.
    const body = '{"id":1,"state":"enabled"}';
    const res = await h.app.inject({ method: 'POST', url: '/webhooks/shopify', headers: webhookHeaders({ shop: SHOP, secret: SECRET, topic: 'customers/update', body }), payload: body });
    expect(res.statusCode).toBe(200);
  });

  it('refuses a callback with a wrong hmac, a forged state or an expired state, exchanging nothing', async () => {
    const exchanges = fake.tokenExchanges.length;
    const state = (await startInstall()).searchParams.get('state')!;
    const code = fake.issueCode(CLIENT_ID, SECRET);
    const forged = [
      signedCallback({ code, shop: SHOP, state, timestamp: '1' }, 'not-the-secret'),
      signedCallback({ code, shop: SHOP, state: 'a-state-patron-never-issued', timestamp: '1' }),
      `${signedCallback({ code, shop: SHOP, state, timestamp: '1' })}&extra=added-after-signing`,
      new URLSearchParams({ code, shop: SHOP, state }).toString(),
    ];
    for (const q of forged) {
      const res = await h.app.inject({ method: 'GET', url: `/integrations/shopify/callback?${q}` });
      expect(res.statusCode, q).toBe(401);
    }
    h.clock.advance(11 * 60_000);
    const late = await h.app.inject({ method: 'GET', url: `/integrations/shopify/callback?${signedCallback({ code, shop: SHOP, state, timestamp: '1' })}` });
    expect(late.statusCode).toBe(401);
    expect(fake.tokenExchanges.length).toBe(exchanges);
  });

  it('refuses an install nobody prepared, and a shop another organization has connected', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/integrations/shopify/install?shop=unknown-shop.myshopify.com' });
    expect(res.statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/integrations/shopify/install?shop=not a shop' })).statusCode).toBe(400);
    await expect(prepareInstall(h.ctx, b.org.id, { shop: SHOP, clientId: CLIENT_ID, clientSecret: SECRET })).rejects.toThrow(/already connected to another organization/);
    await expect(connectStore(h.ctx, b.org.id, { shop: SHOP, clientId: CLIENT_ID, clientSecret: SECRET, accessToken: 'x', apiUrl: fake.url })).rejects.toThrow(/already connected/);
    await expect(connectStore(h.ctx, b.org.id, { shop: 'other.myshopify.com', clientId: CLIENT_ID, clientSecret: SECRET, accessToken: 'wrong-token', apiUrl: fake.url })).rejects.toThrow(/refused the access token/);
    expect((await b.admin.get('/api/v1/integrations/shopify')).json()).toMatchObject({ status: 'not_connected' });
  });
});
