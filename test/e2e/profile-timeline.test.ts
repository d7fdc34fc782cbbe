import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
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

describe('profile edits in the timeline', () => {
  it('says what a birthday was changed from and to, and forgets both once the customer is erased', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN, { width: 1280, height: 720 });
    const customer = await createCustomer(api, { birthday: '1990-03-03' });
    await page.goto(`/customers/${customer.id}`);
    await page.getByRole('button', { name: 'More actions' }).click();
    await page.getByRole('menuitem', { name: 'Edit birthday and anniversary' }).click();
    const dialog = page.getByRole('dialog', { name: 'Birthday and anniversary' });
    await dialog.getByLabel('Birthday').fill('1990-03-05');
    await dialog.getByRole('button', { name: 'Save dates' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('tab', { name: 'Activity' }).click();
    const edit = page.getByTestId('activity-item').filter({ hasText: 'Profile edited' }).first();
    await edit.waitFor();
    expect((await edit.innerText()).split('\n')[0]).toBe('Birthday changed from Mar 3, 1990 to Mar 5, 1990');

    await page.getByRole('button', { name: 'More actions' }).click();
    await page.getByRole('menuitem', { name: /Anonymize/ }).click();
    const erase = page.getByRole('dialog', { name: 'Anonymize this customer' });
    await erase.getByRole('textbox').fill(customer.email);
    await erase.getByRole('button', { name: 'Anonymize permanently' }).click();
    await page.getByRole('heading', { name: /Anonymous/ }).waitFor();
    await page.getByRole('tab', { name: 'Activity' }).click();
    await page.getByTestId('activity-item').filter({ hasText: 'Personal data erased' }).first().waitFor();
    const timeline = (await page.getByRole('tabpanel').innerText()) ?? '';
    expect(timeline).toContain('Profile edited: birthday changed');
    expect(timeline).not.toMatch(/Mar 3, 1990|Mar 5, 1990|1990-03/);
    await context.close();
  });
});
