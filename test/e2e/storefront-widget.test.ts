import { createServer, type Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signCustomerToken } from '../../src/modules/storefront/index.js';
import { Api, launchBrowser, newPage, seriousA11yViolations, signIn } from './support/browser.js';
import { DEMO_ADMIN, ROOT } from './support/server.js';

/**
 * The widget on a store page of another origin, served by this test: a member sees balance
 * and tier and redeems a reward, a visitor sees the program and no balance, a customer who
 * left sees nothing — at 1440 and 375 px wide. The store's own CSS is hostile on purpose.
 */

let browser: Browser;
let store: Server;
let storeUrl = '';
let key = '';
let secret = '';
const ids = { member: '', left: '' };
const SHOTS = join(ROOT, 'docs', 'screenshots');
const run = Date.now().toString(36);

function storePage(title: string, token: string | null): string {
  const base = inject('baseUrl');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>
  body { margin: 0; font-family: Georgia, serif; background: #faf7f2; color: #2b2118; }
  * { letter-spacing: .02em; } button { background: hotpink !important; font-size: 30px; } h2, h3, p { color: #b00 !important; text-transform: uppercase; }
  header { padding: 18px 32px; background: #2b2118; color: #faf7f2; font-size: 22px; }
  main { padding: 32px; max-width: 960px; } .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 18px; }
  .card { background: #fff; border-radius: 8px; height: 200px; box-shadow: 0 1px 3px rgba(0,0,0,.1); }
</style></head>
<body><header>Maple &amp; Co. — ${title}</header><main><h1>New arrivals</h1><div class="grid"><div class="card"></div><div class="card"></div><div class="card"></div><div class="card"></div></div></main>
<script src="${base}/widget.js" data-key="${key}"${token ? ` data-token="${token}"` : ''} defer></script></body></html>`;
}

const token = (externalId: string) => signCustomerToken({ sub: externalId, exp: Math.floor(Date.now() / 1000) + 900 }, secret);

beforeAll(async () => {
  browser = await launchBrowser();
  store = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const page =
      path === '/member' ? storePage('Member', token(ids.member)) : path === '/left' ? storePage('Left the program', token(ids.left)) : path === '/guest' ? storePage('Visitor', null) : null;
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page ?? 'not found');
  });
  await new Promise<void>((resolve) => store.listen(0, '127.0.0.1', resolve));
  const address = store.address();
  storeUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  // The admin's API session only (no admin page is needed to set the store up).
  const context = await browser.newContext({ baseURL: inject('baseUrl') });
  const signedIn = await context.request.post('/api/v1/auth/login', { data: DEMO_ADMIN });
  expect(signedIn.status()).toBe(200);
  const api = new Api(context);
  secret = (await api.send<{ secret: string }>('POST', '/api/v1/storefront/secret', {})).secret;
  key = (
    await api.send<{ publishableKey: string }>('PUT', '/api/v1/storefront/settings', {
      allowedOrigins: [storeUrl],
      theme: { primaryColor: '#0b6e4f', title: 'Maple Rewards', launcherText: 'Rewards', guestCtaText: 'Join and earn', guestCtaUrl: 'https://shop.example.com/account/register' },
    })
  ).publishableKey;
  const member = await api.send<{ id: string; externalId: string }>('POST', '/api/v1/customers', {
    externalId: `sf-member-${run}`,
    email: `sf-member-${run}@example.com`,
    firstName: 'Mia',
    lastName: 'Storefront',
    accountState: 'registered',
  });
  await api.send('POST', `/api/v1/customers/${member.id}/points/adjustments`, { direction: 'add', points: 640, reason: 'Internal: storefront test seed', customerMessage: 'Welcome gift from Maple & Co.', visibleToCustomer: true });
  await api.send('POST', '/api/v1/orders', { externalId: `sf-order-${run}`, customerId: member.id, total: { amount: '30.00', currency: 'USD' } });
  await api.send('POST', '/api/v1/rewards', { name: '$10 off your next order', type: 'fixed_amount', pointsCost: 500, value: { amount: '10.00', currency: 'USD' } });
  const left = await api.send<{ id: string; externalId: string }>('POST', '/api/v1/customers', { externalId: `sf-left-${run}`, email: `sf-left-${run}@example.com`, firstName: 'Lee', accountState: 'registered' });
  await api.send('POST', `/api/v1/customers/${left.id}/membership`, { type: 'left' });
  ids.member = member.externalId;
  ids.left = left.externalId;
  await context.close();
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => store?.close(r));
});

async function storeTab(width: number, path: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width, height: width < 500 ? 800 : 900 }, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(45_000);
  const foreign: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.origin !== storeUrl && u.origin !== new URL(inject('baseUrl')).origin) foreign.push(r.url());
  });
  await page.goto(`${storeUrl}${path}`);
  return {
    page,
    close: async () => {
      expect(foreign, 'no third-party requests').toEqual([]);
      await context.close();
    },
  };
}

describe.each([1440, 375])('the storefront widget at %i px', (width) => {
  it('shows a member their balance and tier, redeems a reward and shows the code', async () => {
    const { page, close } = await storeTab(width, '/member');
    const launcher = page.getByRole('button', { name: 'Rewards' });
    await launcher.click();
    const panel = page.getByRole('dialog', { name: 'Maple Rewards' });
    await panel.waitFor();
    await panel.getByText('Hi Mia').waitFor();
    await expect(panel.locator('[data-balance]').textContent()).resolves.toMatch(/^[\d,]+ points$/);
    await panel.getByText('Your tier').waitFor();
    await panel.getByText('Welcome gift from Maple & Co.').waitFor();
    expect(await panel.getByText('Internal: storefront test seed').count()).toBe(0);
    // Keyboard: the panel keeps focus inside, Escape closes and gives focus back to the launcher.
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.querySelector('[data-patron-widget]')?.shadowRoot?.activeElement?.closest('[role=dialog]') !== null)).toBe(true);
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.querySelector('[data-patron-widget]')?.shadowRoot?.activeElement?.textContent)).toContain('Rewards');
    await launcher.press('Enter');
    await panel.waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    if (width === 1440) {
      const redeem = panel.getByRole('button', { name: /^Redeem \$10 off your next order/ });
      await redeem.dblclick();
      const code = panel.locator('[data-code]');
      await code.waitFor();
      expect(await code.textContent()).toMatch(/^[A-Z0-9-]{8,}$/);
      await panel.getByRole('button', { name: 'Copy' }).first().waitFor();
    } else {
      await panel.getByText(/Your code for|You can redeem|points to go/).first().waitFor();
    }
    await page.screenshot({ path: join(SHOTS, `storefront-member-${width}.png`) });
    await close();
  });

  it('shows a visitor the program and a sign-up, with no balance and no redeeming', async () => {
    const { page, close } = await storeTab(width, '/guest');
    await page.getByRole('button', { name: 'Rewards' }).click();
    const panel = page.getByRole('dialog', { name: 'Maple Rewards' });
    await panel.getByText('Join our rewards program').waitFor();
    await panel.getByRole('link', { name: 'Join and earn' }).waitFor();
    await panel.getByText('Ways to earn').waitFor();
    expect(await panel.locator('[data-balance]').count()).toBe(0);
    expect(await panel.getByRole('button', { name: /^Redeem/ }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, `storefront-guest-${width}.png`) });
    await close();
  });

  it('shows a customer who left the program nothing at all', async () => {
    const { page, close } = await storeTab(width, '/left');
    const me = page.waitForResponse((r) => r.url().includes('/api/storefront/v1/me'));
    expect((await me).status()).toBe(403);
    await page.waitForTimeout(300);
    expect(await page.locator('[data-patron-widget]').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Rewards' }).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, `storefront-left-${width}.png`) });
    await close();
  });
});

describe('the storefront settings page', () => {
  it('shows the publishable key and install snippet, and previews the widget as a chosen member', async () => {
    const { context, page } = await newPage(browser, inject('baseUrl'), { width: 1440, height: 1000 });
    page.setDefaultTimeout(60_000);
    await signIn(page, DEMO_ADMIN);
    await page.goto('/settings/storefront');
    await page.getByRole('heading', { name: 'Storefront', exact: true }).waitFor();
    expect(await page.getByTestId('publishable-key').textContent()).toBe(key);
    expect(await page.getByTestId('install-snippet').textContent()).toContain(`data-key="${key}"`);
    expect(await page.getByRole('button', { name: 'Rotate secret' }).count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('textbox', { name: 'Customer', exact: true }).fill(`sf-member-${run}`);
    await page.getByRole('option', { name: /Mia Storefront/ }).click();
    await page.getByRole('button', { name: 'Show preview' }).click();
    const frame = page.frameLocator('iframe[title="Widget preview"]');
    await page.getByTitle('Widget preview').scrollIntoViewIfNeeded();
    await frame.getByRole('button', { name: 'Rewards' }).press('Enter');
    await frame.getByRole('dialog', { name: 'Maple Rewards' }).getByText('Hi Mia').waitFor();
    await frame.getByText('Preview: nothing can be changed here.').waitFor();
    expect(await frame.getByRole('button', { name: /^Redeem/ }).count()).toBe(0);
    await context.close();
  });
});
