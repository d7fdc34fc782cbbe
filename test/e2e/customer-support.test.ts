import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, seriousA11yViolations } from './support/browser.js';
import { addPoints, createCustomer, createReward, placeOrder, tag } from './support/fixtures.js';
import { DEMO_ADMIN, DEMO_SUPPORT } from './support/server.js';
import { openPage } from './support/session.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

interface Profile {
  balances: { active: number };
  membershipType: string;
  tier: { name: string; manual: boolean } | null;
  name: string;
  email: string | null;
  anonymizedAt: string | null;
}

describe('support stories on the customer profile', () => {
  it('finds a customer by part of the email, explains their points, adjusts them once and shows it everywhere', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN);
    const t = tag();
    const customer = await createCustomer(api, { firstName: 'Rosa', lastName: 'Quinn', email: `rosa.quinn.${t}@shop.example` });
    await placeOrder(api, customer.id, '120.00');
    const before = await api.get<Profile>(`/api/v1/customers/${customer.id}`);

    await page.goto('/customers');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('searchbox', { name: 'Search customers' }).fill(`quinn.${t}`);
    await page.waitForURL(new RegExp(`search=quinn\\.${t}`));
    const table = page.getByRole('table', { name: 'Customers' });
    await expect.poll(async () => table.getByRole('link').count(), { timeout: 15_000 }).toBe(1);
    await table.getByRole('link', { name: 'Rosa Quinn' }).waitFor();
    await table.getByRole('link', { name: 'Rosa Quinn' }).click();

    await page.getByRole('heading', { name: /Rosa Quinn/ }).waitFor();
    await page.getByRole('tab', { name: 'Points' }).click();
    const explanation = page.getByTestId('entry-explanation').filter({ hasText: /order/i }).first();
    await explanation.waitFor();
    expect(await explanation.textContent()).toMatch(/120/);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Adjust points' }).click();
    const dialog = page.getByRole('dialog', { name: 'Adjust points' });
    await dialog.getByRole('button', { name: 'Add points' }).click();
    await dialog.getByText('Enter a whole number of points, at least 1').waitFor();
    await dialog.getByText('Say why the points change (kept internal)').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByRole('textbox', { name: 'Points' }).fill('40');
    await dialog.getByLabel('Reason (internal)').fill('Missing points for order 1042');
    await dialog.getByLabel('Message to the customer').fill('Sorry for the trouble!');
    await dialog.getByRole('button', { name: 'Add points' }).dblclick();
    const expected = before.balances.active + 40;
    await page.getByText(`Added 40 points. New balance: ${expected.toLocaleString('en-US')} points.`).waitFor();
    await expect.poll(async () => page.getByTestId('active-points').textContent()).toBe(expected.toLocaleString('en-US'));
    const after = await api.get<Profile>(`/api/v1/customers/${customer.id}`);
    expect(after.balances.active).toBe(expected);
    const ledger = await api.get<{ items: { reason: string }[] }>(`/api/v1/customers/${customer.id}/points/entries`);
    expect(ledger.items.filter((e) => e.reason === 'Missing points for order 1042')).toHaveLength(1);

    await page.getByRole('tab', { name: 'Activity' }).click();
    await page.getByTestId('activity-item').filter({ hasText: /40/ }).first().waitFor();
    await context.close();
  });

  it('redeems a reward for the customer, then revokes the coupon and restores the points', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN);
    const customer = await createCustomer(api);
    await addPoints(api, customer.id, 500);
    const reward = await createReward(api, { pointsCost: 150, amount: '7.00' });
    const start = (await api.get<Profile>(`/api/v1/customers/${customer.id}`)).balances.active;

    await page.goto(`/customers/${customer.id}?tab=rewards`);
    await page.getByRole('button', { name: 'Redeem reward' }).first().click();
    const dialog = page.getByRole('dialog', { name: /Redeem a reward/ });
    await dialog.getByRole('textbox', { name: 'Reward' }).click();
    await page.getByRole('option', { name: new RegExp(reward.name.replace(/[$()]/g, '\\$&')) }).click();
    await dialog.getByRole('button', { name: /^Redeem for/ }).click();
    await page.getByText(/Coupon \S+ created/).waitFor();
    await expect.poll(async () => page.getByTestId('active-points').textContent()).toBe((start - 150).toLocaleString('en-US'));

    const row = page.getByTestId('coupon-row').first();
    await row.getByText('active').waitFor();
    await row.getByRole('button', { name: /Revoke coupon/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke coupon' }).click();
    await page.getByText(/150 points restored/).waitFor();
    await row.getByText('revoked').waitFor();
    await expect.poll(async () => page.getByTestId('active-points').textContent()).toBe(start.toLocaleString('en-US'));
    await context.close();
  });

  it('assigns a tier manually and labels it "Manually assigned"', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN);
    const customer = await createCustomer(api);
    await page.goto(`/customers/${customer.id}`);
    await page.getByRole('button', { name: 'More actions' }).click();
    await page.getByRole('menuitem', { name: 'Change tier or progress' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change tier' });
    await dialog.getByRole('textbox', { name: 'Tier', exact: true }).click();
    await page.getByRole('option', { name: 'Gold' }).click();
    await dialog.getByRole('button', { name: 'Assign tier' }).click();
    await page.getByText('Gold is now manually assigned.').waitFor();
    await expect.poll(async () => page.getByTestId('tier-name').textContent()).toBe('Gold');
    await page.getByText('Manually assigned').first().waitFor();
    const profile = await api.get<Profile>(`/api/v1/customers/${customer.id}`);
    expect(profile.tier).toMatchObject({ name: 'Gold', manual: true });
    await context.close();
  });

  it('moves a guest to member and offers only the allowed moves', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN);
    const customer = await createCustomer(api, { accountState: 'guest' });
    const start = await api.get<Profile>(`/api/v1/customers/${customer.id}`);
    expect(start.membershipType).toBe('guest');
    await page.goto(`/customers/${customer.id}`);
    await page.getByRole('button', { name: 'More actions' }).click();
    await page.getByRole('menuitem', { name: 'Change membership type' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change membership type' });
    const radios = dialog.getByRole('radio');
    expect(await radios.count()).toBe(2);
    await dialog.getByRole('radio', { name: /Member/ }).check();
    expect(await dialog.getByRole('radio', { name: /Guest/ }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Change to Member' }).click();
    await page.getByText('Membership changed to Member.').waitFor();
    await expect.poll(async () => page.getByTestId('membership-badge').textContent()).toBe('Member');

    await page.getByRole('button', { name: 'More actions' }).click();
    await page.getByRole('menuitem', { name: 'Change membership type' }).click();
    const again = page.getByRole('dialog', { name: 'Change membership type' });
    expect(await again.getByRole('radio').count()).toBe(1);
    expect(await again.getByRole('radio', { name: /Left program/ }).count()).toBe(1);
    expect(await again.getByRole('radio', { name: /Guest/ }).count()).toBe(0);
    await context.close();
  });

  it('anonymizes a customer only after the email is typed', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN);
    const customer = await createCustomer(api);
    await page.goto(`/customers/${customer.id}`);
    await page.getByRole('button', { name: 'More actions' }).click();
    await page.getByRole('menuitem', { name: /Anonymize/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Anonymize this customer' });
    await dialog.getByText('This is permanent and cannot be undone').waitFor();
    const confirm = dialog.getByRole('button', { name: 'Anonymize permanently' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByRole('textbox').fill('someone.else@example.com');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByRole('textbox').fill(customer.email);
    await confirm.click();
    await page.getByText('Customer anonymized').first().waitFor();
    await page.getByRole('heading', { name: /Anonymous/ }).waitFor();
    const profile = await api.get<Profile>(`/api/v1/customers/${customer.id}`);
    expect(profile.anonymizedAt).not.toBeNull();
    expect(profile.email).not.toBe(customer.email);
    await context.close();
  });

  it('hides the adjust action from staff without the permission, and the API refuses it too', async () => {
    const admin = await openPage(browser, DEMO_ADMIN);
    const customer = await createCustomer(admin.api);
    await admin.context.close();
    const { context, page, api } = await openPage(browser, DEMO_SUPPORT);
    await page.goto(`/customers/${customer.id}`);
    await page.getByRole('heading', { name: new RegExp(customer.firstName) }).waitFor();
    expect(await page.getByRole('button', { name: 'Adjust points' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Redeem reward' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'More actions' }).count()).toBe(0);
    await expect(api.send('POST', `/api/v1/customers/${customer.id}/points/adjustments`, { direction: 'add', points: 5, reason: 'try' })).rejects.toThrow(/403/);
    await context.close();
  });
});
