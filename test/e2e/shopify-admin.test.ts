import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FakeShopify, webhookHeaders } from '../helpers/fake-shopify.js';
import { launchBrowser, seriousA11yViolations } from './support/browser.js';
import { tag } from './support/fixtures.js';
import { cliAsync, createOrgWithAdmin } from './support/server.js';
import { openPage } from './support/session.js';

/**
 * The Shopify pages in a browser: a store connected with the CLI (against a local fake of
 * the Admin API), signed webhooks posted to the running server, then the customer's
 * Shopify card and the Settings → Shopify page (failed delivery retried, backfill started).
 */

let browser: Browser;
let fake: FakeShopify;
const t = tag();
const SHOP = `e2e-${t}`.toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 40) + '.myshopify.com';
const SECRET = `shpss_e2e_secret_${t}`;
const ADMIN = { email: `shopify-${t}@example.com`, password: 'shopify-e2e-1234' };
/** Above 2^53: the page must show it exactly. */
const BIG_ID = '9007199254740993';

async function deliver(topic: string, body: string): Promise<number> {
  const res = await fetch(new URL('/webhooks/shopify', inject('baseUrl')), { method: 'POST', headers: webhookHeaders({ shop: SHOP, secret: SECRET, topic, body }), body });
  return res.status;
}

beforeAll(async () => {
  browser = await launchBrowser();
  fake = await new FakeShopify().start();
  const dataDir = inject('dataDir');
  createOrgWithAdmin(dataDir, { slug: `shop-${t}`, name: `Shopify ${t}` }, ADMIN);
  const r = await cliAsync(dataDir, ['shopify', 'connect', '--org', `shop-${t}`, '--shop', SHOP, '--client-id', 'e2e-client', '--client-secret', SECRET, '--access-token', fake.accessToken, '--api-url', fake.url]);
  expect(r.out).toContain(`Connected ${SHOP}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await fake?.stop();
});

describe('Shopify in the admin', () => {
  it("the customer's Shopify card shows the store's view of them, with the id exact", async () => {
    const { page, api, context } = await openPage(browser, ADMIN);
    const body =
      `{"id":${BIG_ID},"email":"card-${t}@example.com","first_name":"Grace","last_name":"Hopper","state":"enabled","verified_email":true,"tags":"vip",` +
      `"email_marketing_consent":{"state":"subscribed","opt_in_level":"single_opt_in","consent_updated_at":"2026-02-01T10:00:00Z"}}`;
    expect(await deliver('customers/create', body)).toBe(200);
    expect(await deliver('customers/create', body.replace('"id":', '"x":'))).toBe(200); // cannot be mapped: kept as failed
    expect(await deliver('customers/update', body)).toBe(200);
    let customerId: string | undefined;
    for (let i = 0; i < 60 && !customerId; i++) {
      const list = await api.get<{ items: { topic: string; status: string; result: { customerId?: string } | null }[] }>('/api/v1/integrations/shopify/webhooks?status=processed');
      customerId = list.items.find((w) => w.topic === 'customers/create')?.result?.customerId;
      if (!customerId) await new Promise((r) => setTimeout(r, 500));
    }
    expect(customerId).toBeDefined();
    await page.goto(`/customers/${customerId}`);
    const card = page.getByTestId('shopify-card');
    await card.getByRole('heading', { name: 'Shopify' }).waitFor();
    await card.getByTestId('shopify-id').filter({ hasText: BIG_ID }).waitFor();
    expect(await card.getByTestId('shopify-account-state').textContent()).toBe('Account enabled');
    expect(await card.getByTestId('shopify-consent').textContent()).toBe('Subscribed');
    expect(await card.getByTestId('shopify-admin-link').getAttribute('href')).toBe(`https://admin.shopify.com/store/${SHOP.replace('.myshopify.com', '')}/customers/${BIG_ID}`);
    await card.getByTestId('shopify-last-webhook').filter({ hasText: /customers\/(create|update)/ }).waitFor();
    expect(await card.textContent()).toContain('Activated a classic account');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  }, 120_000);

  it('the settings page: connection, a failed delivery retried, a backfill with its counts', async () => {
    const { page, context } = await openPage(browser, ADMIN);
    fake.customerNodes = [
      { id: 'gid://shopify/Customer/42', legacyResourceId: '42', firstName: 'Old', lastName: 'Shopper', state: 'DISABLED', verifiedEmail: false, tags: [], defaultEmailAddress: { emailAddress: `old-${t}@example.com`, marketingState: 'NOT_SUBSCRIBED' }, defaultPhoneNumber: null },
    ];
    fake.orderNodes = [];
    await page.goto('/settings/shopify');
    await page.getByRole('heading', { name: 'Shopify', level: 1 }).waitFor();
    await page.getByTestId('shopify-status').filter({ hasText: 'Connected' }).waitFor();
    expect(await page.getByTestId('shopify-connection').textContent()).toContain(SHOP);
    expect(await page.getByTestId('shopify-last-webhook').textContent()).not.toBe('None yet');
    // The delivery without a customer id failed and is listed with its error.
    const failed = page.getByTestId('shopify-failed-delivery').first();
    await failed.waitFor();
    expect(await failed.textContent()).toMatch(/customer\.id is missing/i);
    await failed.getByRole('button', { name: /Retry customers\/create delivery/ }).click();
    await page.getByText('Delivery queued again.').waitFor();

    await page.getByTestId('shopify-backfill-start').click();
    await page.getByTestId('shopify-backfill-status').filter({ hasText: 'done' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('shopify-backfill-counts').textContent()).toContain('1 customers, 0 orders read (0 new), no points for history');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  }, 120_000);
});
