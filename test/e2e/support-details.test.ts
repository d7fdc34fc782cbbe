import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signIn } from './support/browser.js';
import { createCustomer } from './support/fixtures.js';
import { DEMO_ADMIN } from './support/server.js';
import { openPage } from './support/session.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('details a support agent notices', () => {
  it('loads cold and signs in without an error in the browser console (no 401 for the session check)', async () => {
    const { context, page } = await openPage(browser);
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400) problems.push(`${res.status()} ${res.url()}`);
    });
    await page.goto('/');
    await page.getByLabel('Email').waitFor();
    await page.waitForLoadState('networkidle');
    await signIn(page, DEMO_ADMIN);
    await page.getByRole('table', { name: 'Customers' }).getByRole('link').first().waitFor();
    await page.waitForLoadState('networkidle');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('offers "Remove custom action" only until it is removed, also after a reload', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN, { width: 1280, height: 720 });
    const customer = await createCustomer(api);
    await api.send('POST', `/api/v1/customers/${customer.id}/custom-actions`, { actionKey: 'instagram_follow' });
    await page.goto(`/customers/${customer.id}?tab=points`);
    const remove = page.getByRole('button', { name: 'Remove custom action' });
    await remove.waitFor();
    expect(await remove.count()).toBe(1);
    await remove.click();
    await page.getByRole('dialog', { name: 'Remove this custom action?' }).getByRole('button', { name: 'Remove and reverse points' }).click();
    await page.getByText('Removed; its points were reversed.').waitFor();
    expect(await remove.count()).toBe(0);
    await page.reload();
    await page.getByText('Removed; its points were reversed.').waitFor();
    expect(await remove.count()).toBe(0);
    await context.close();
  });
});
