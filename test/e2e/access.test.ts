import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, seriousA11yViolations, signIn } from './support/browser.js';
import { openPage } from './support/session.js';
import { DEMO_ADMIN, DEMO_SUPPORT, SECOND_ORG } from './support/server.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('signing in and access', () => {
  it('refuses a wrong password with the API message, then signs in and out', async () => {
    const { context, page } = await openPage(browser);
    await page.goto('/');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByLabel('Email').fill(DEMO_ADMIN.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: /password/i }).waitFor();
    await page.getByLabel('Password').fill(DEMO_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    for (const label of ['Customers', 'Points', 'Tiers', 'Rewards', 'Earning rules', 'Imports', 'Users', 'API keys']) {
      expect(await page.getByRole('navigation').getByRole('link', { name: label, exact: true }).count()).toBe(1);
    }
    await page.getByRole('button', { name: /Account menu/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    const me = await context.request.get('/api/v1/me');
    expect(me.status()).toBe(401);
    await context.close();
  });

  it('shows staff only what their permissions allow, and the API refuses the rest', async () => {
    const { context, page } = await openPage(browser);
    await signIn(page, DEMO_SUPPORT);
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    expect(await nav.getByRole('link', { name: 'Customers', exact: true }).count()).toBe(1);
    for (const label of ['Users', 'API keys', 'Imports']) {
      expect(await nav.getByRole('link', { name: label, exact: true }).count()).toBe(0);
    }
    await page.goto('/settings/users');
    await page.getByText("You don't have access to this page").waitFor();
    const res = await context.request.get('/api/v1/users');
    expect(res.status()).toBe(403);
    await context.close();
  });

  it('switches between organizations and shows the new currency', async () => {
    const { context, page } = await openPage(browser);
    await signIn(page, DEMO_ADMIN);
    await page.getByRole('button', { name: /Switch organization/ }).click();
    await page.getByRole('menuitem', { name: new RegExp(SECOND_ORG.name) }).click();
    await page.getByRole('button', { name: new RegExp(`Switch organization, current: ${SECOND_ORG.name}`) }).waitFor();
    await page.getByText(`${SECOND_ORG.currency} · ${SECOND_ORG.timezone}`).waitFor();
    const me = (await (await context.request.get('/api/v1/me')).json()) as { organization: { slug: string; name: string } };
    expect(me.organization.slug).toBe(SECOND_ORG.slug);
    await context.close();
    // Signing in again opens the organization used last; switching back makes the demo the last one again.
    const again = await openPage(browser);
    await signIn(again.page, DEMO_ADMIN);
    await again.page.getByRole('button', { name: new RegExp(`Switch organization, current: ${SECOND_ORG.name}`) }).waitFor();
    await again.page.getByRole('button', { name: /Switch organization/ }).click();
    await again.page.getByRole('menuitem', { name: /Demo/ }).click();
    await again.page.getByRole('button', { name: /Switch organization, current: Demo/ }).waitFor();
    await again.context.close();
  });
});
