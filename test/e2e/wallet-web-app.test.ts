import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, seriousA11yViolations } from './support/browser.js';
import { addPoints, createCustomer } from './support/fixtures.js';
import { DEMO_ADMIN } from './support/server.js';
import { openPage } from './support/session.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

interface IssuedPass {
  serialNumber: string;
  cardCode: string;
  webAppUrl: string;
}

describe('the pass web app on a phone', () => {
  it('shows the card at 390x844 and saves a notification switch, which staff then see', async () => {
    const staff = await openPage(browser, DEMO_ADMIN, { width: 1280, height: 720 });
    const customer = await createCustomer(staff.api, { firstName: 'Maya', lastName: 'Okafor' });
    await addPoints(staff.api, customer.id, 1250);
    const pass = await staff.api.send<IssuedPass>('POST', `/api/v1/customers/${customer.id}/wallet/pass`, {});
    const path = new URL(pass.webAppUrl, 'http://x').pathname;
    expect(path).toMatch(/^\/c\/[A-Za-z0-9_-]{43}$/);

    // The customer's phone: no session, no cookie.
    const phone = await openPage(browser, undefined, { width: 390, height: 844 });
    const problems: string[] = [];
    phone.page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    phone.page.on('pageerror', (e) => problems.push(e.message));
    const res = await phone.page.goto(path);
    expect(res?.status()).toBe(200);
    await phone.page.getByRole('heading', { name: 'Demo' }).or(phone.page.getByRole('heading', { level: 1 })).first().waitFor();
    expect(await phone.page.getByTestId('member-name').innerText()).toBe('Maya Okafor');
    // 1,250 points added, plus whatever the demo program gives a new member.
    const { balance } = await staff.api.get<{ balance: number }>(`/api/v1/customers/${customer.id}/wallet`);
    expect(balance).toBeGreaterThanOrEqual(1250);
    expect(await phone.page.getByTestId('balance').innerText()).toBe(`${balance.toLocaleString('en-US')} points`);
    expect(await phone.page.getByTestId('card-code').innerText()).toBe(pass.cardCode.replace(/(.{4})(?=.)/g, '$1 '));
    const qr = phone.page.getByRole('img', { name: /QR code of your card code/ });
    const box = await qr.boundingBox();
    expect(box!.width).toBeGreaterThan(150);
    expect(box!.width).toBeLessThanOrEqual(390);
    // Nothing wider than the phone.
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    const offers = phone.page.getByRole('switch', { name: /Offers/ });
    await expect.poll(() => offers.isEnabled()).toBe(true);
    const before = await offers.isChecked();
    await offers.click();
    await phone.page.getByRole('status').filter({ hasText: `Offers notifications ${before ? 'off' : 'on'}. Saved.` }).waitFor();
    expect(await offers.isChecked()).toBe(!before);
    expect(await seriousA11yViolations(phone.page)).toEqual([]);
    expect(problems).toEqual([]);

    // Saved on the server: the page after a reload, and the staff's read-only view.
    await phone.page.reload();
    await expect.poll(() => phone.page.getByRole('switch', { name: /Offers/ }).isChecked()).toBe(!before);
    const prefs = await staff.api.get<{ marketing: boolean }>(`/api/v1/customers/${customer.id}/notification-preferences`);
    expect(prefs.marketing).toBe(!before);

    // A link that opens nothing.
    const bad = await phone.page.goto(`${path.slice(0, -3)}xyz`);
    expect(bad?.status()).toBe(404);
    await phone.page.getByRole('heading', { name: 'This card link is not valid' }).waitFor();
    await phone.context.close();
    await staff.context.close();
  });
});

describe('scans on the profile', () => {
  it('a scan through the API shows on the timeline in words and increments the wallet summary', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN, { width: 1280, height: 800 });
    const customer = await createCustomer(api);
    const pass = await api.send<IssuedPass>('POST', `/api/v1/customers/${customer.id}/wallet/pass`, {});
    const before = await api.get<{ scans: number; clicks: number }>(`/api/v1/customers/${customer.id}/wallet`);
    expect(before).toMatchObject({ scans: 0, clicks: 0 });
    await page.goto(`/customers/${customer.id}`);
    await expect.poll(() => page.getByTestId('wallet-scans').innerText()).toBe('0 scans');

    const scan = await api.send<{ customer: { id: string; balance: number } }>('POST', '/api/v1/scans', { code: pass.cardCode, location: 'Store 12', device: 'till 3' });
    expect(scan.customer.id).toBe(customer.id);
    expect((await api.get<{ scans: number; lastScanAt: string | null }>(`/api/v1/customers/${customer.id}/wallet`)).scans).toBe(1);

    await page.reload();
    // The profile's wallet card counts it.
    await expect.poll(() => page.getByTestId('wallet-scans').innerText()).toMatch(/^1 scan · last /);
    await page.getByRole('tab', { name: 'Activity' }).click();
    const item = page.getByTestId('activity-item').filter({ hasText: 'Scanned at Store 12 (till 3)' }).first();
    await item.waitFor();
    expect((await item.innerText()).split('\n')[0]).toBe('Scanned at Store 12 (till 3)');
    await context.close();
  });
});
