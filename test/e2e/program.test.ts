import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, seriousA11yViolations } from './support/browser.js';
import { DEMO_ADMIN, DEMO_SUPPORT } from './support/server.js';
import { openPage } from './support/session.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('program settings', () => {
  it('lets an admin read and change the program, and shows staff a read-only view', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN);
    await page.goto('/program/tiers');
    const tiers = page.getByRole('table', { name: 'Tiers' });
    for (const name of ['Bronze', 'Silver', 'Gold']) await tiers.getByRole('cell', { name, exact: true }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.goto('/program/points');
    await page.getByRole('textbox', { name: 'Points per 1 unit spent' }).fill('2');
    await page.getByRole('button', { name: 'Save points settings' }).click();
    await page.getByText('Points settings saved.', { exact: false }).waitFor();
    expect((await api.get<{ earnRate: string }>('/api/v1/program')).earnRate).toMatch(/^2(\.0+)?$/);
    await api.send('PATCH', '/api/v1/program', { earnRate: '1' });

    await page.goto('/program/earning-rules');
    await page.getByRole('table', { name: 'Earning rules' }).getByText('instagram_follow', { exact: false }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();

    const staff = await openPage(browser, DEMO_SUPPORT);
    await staff.page.goto('/program/rewards');
    await staff.page.getByRole('heading', { name: 'Rewards', exact: true }).waitFor();
    expect(await staff.page.getByRole('button', { name: 'Add reward' }).count()).toBe(0);
    await staff.context.close();
  });
});
