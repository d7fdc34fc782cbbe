import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from './support/browser.js';
import { launchBrowser } from './support/browser.js';
import { createCustomer, placeOrder } from './support/fixtures.js';
import { DEMO_ADMIN, ROOT } from './support/server.js';
import { openPage } from './support/session.js';

/**
 * The tier rules of docs/tiers.md as a staff member meets them on the customer page (the demo
 * program: Bronze from 50.00 USD, Silver from 250.00 USD with 100 entry points, Gold from
 * 1,000.00 USD with 250 entry points, measured per calendar year with 30 grace days; a 100
 * point welcome bonus).
 */
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

interface Profile {
  membershipType: string;
  balances: { active: number };
  tier: { name: string; manual: boolean; reason: string; downgradePending: { to: { name: string } | null; at: string; reason: string } | null } | null;
}

/** The dialog texts docs/tiers.md quotes ("What staff read in the admin"), by dialog. */
function documentedTexts(): Record<string, string> {
  const doc = readFileSync(join(ROOT, 'docs/tiers.md'), 'utf8');
  const out: Record<string, string> = {};
  for (const m of doc.matchAll(/^- (Change tier|Recalculate tier progress|Release the manual tier): "(.*)"$/gm)) out[m[1]!] = m[2]!.replace(/\\"/g, '"');
  expect(Object.keys(out).sort()).toEqual(['Change tier', 'Recalculate tier progress', 'Release the manual tier']);
  return out;
}

const profile = (api: Api, id: string) => api.get<Profile>(`/api/v1/customers/${id}`);

async function menu(page: Page, item: string): Promise<void> {
  await page.getByRole('button', { name: 'More actions' }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

async function chooseTier(page: Page, dialog: Locator, name: string): Promise<void> {
  await dialog.getByRole('textbox', { name: 'Tier', exact: true }).click();
  await page.getByRole('option', { name }).click();
}

/** The tier card's label, the badge and the lines under the progress bar. */
async function tierCard(page: Page) {
  const card = page.locator('.mantine-Card-root').filter({ has: page.getByTestId('tier-name') });
  return {
    name: (await page.getByTestId('tier-name').textContent()) ?? '',
    manual: await card.getByText('Manually assigned', { exact: true }).count(),
    reason: (await card.getByTestId('tier-reason').textContent()) ?? '',
    downgrade: (await card.getByTestId('tier-downgrade').count()) ? ((await card.getByTestId('tier-downgrade').textContent()) ?? '') : null,
  };
}

async function inViewport(page: Page, l: Locator): Promise<boolean> {
  await l.scrollIntoViewIfNeeded();
  const box = await l.boundingBox();
  const vp = page.viewportSize()!;
  return Boolean(box && box.x >= 0 && box.y >= 0 && box.x + box.width <= vp.width && box.y + box.height <= vp.height);
}

describe('tiers on the customer page do what the dialogs say', () => {
  it('assigns up and down with the "manually assigned" label, skips the entry reward when asked, recalculates without touching the tier, and releases to the tier the progress earns', async () => {
    const docs = documentedTexts();
    const { context, page, api } = await openPage(browser, DEMO_ADMIN, { width: 1280, height: 720 });
    const customer = await createCustomer(api);
    await placeOrder(api, customer.id, '300.00');
    const start = await profile(api, customer.id);
    expect(start.tier).toMatchObject({ name: 'Silver', manual: false });

    await page.goto(`/customers/${customer.id}`);
    await expect.poll(async () => (await tierCard(page)).name, { timeout: 20_000 }).toBe('Silver');
    let card = await tierCard(page);
    expect(card.manual).toBe(0);
    expect(card.reason).toMatch(/^Earned by progress: \$300\.00/);
    expect(card.downgrade).toBeNull();

    // Up: Silver -> Gold, the entry reward disclosed before confirming, then skipped.
    await menu(page, 'Change tier or progress');
    let dialog = page.getByRole('dialog', { name: 'Change tier' });
    await dialog.getByText(docs['Change tier']!, { exact: true }).waitFor();
    await chooseTier(page, dialog, 'Gold');
    const reward = dialog.getByTestId('entry-reward');
    await reward.getByText('This will also add 250 points: Gold entry reward.').waitFor();
    await reward.getByRole('checkbox', { name: 'Add the Gold entry reward' }).uncheck();
    await reward.getByText('The Gold entry reward (250 points) will not be added; the timeline records that it was skipped.').waitFor();
    await dialog.getByRole('button', { name: 'Assign tier' }).click();
    await page.getByText('Gold is now manually assigned.').waitFor();
    await expect.poll(async () => (await tierCard(page)).name, { timeout: 20_000 }).toBe('Gold');
    card = await tierCard(page);
    expect(card.manual).toBe(1);
    expect(card.reason).toMatch(/^Manually assigned on /);
    let now = await profile(api, customer.id);
    expect(now.balances.active).toBe(start.balances.active);
    expect(now.tier).toMatchObject({ name: 'Gold', manual: true });
    await page.getByRole('tab', { name: 'Activity' }).click();
    await page.getByTestId('activity-item').filter({ hasText: 'Entry reward of Gold (250 points) not granted: skipped by staff with the tier change' }).waitFor();

    // Down: Gold -> Bronze. Nothing to add, so nothing disclosed; the label stays.
    await menu(page, 'Change tier or progress');
    dialog = page.getByRole('dialog', { name: 'Change tier' });
    await chooseTier(page, dialog, 'Bronze');
    await dialog.getByRole('button', { name: 'Assign tier' }).waitFor();
    expect(await dialog.getByTestId('entry-reward').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Assign tier' }).click();
    await page.getByText('Bronze is now manually assigned.').waitFor();
    await expect.poll(async () => (await tierCard(page)).name, { timeout: 20_000 }).toBe('Bronze');
    card = await tierCard(page);
    expect(card.manual).toBe(1);
    expect(card.downgrade).toBeNull();
    expect(await profile(api, customer.id)).toMatchObject({ tier: { name: 'Bronze', manual: true }, balances: { active: start.balances.active } });

    // Recalculate: progress rebuilt from history; tier and label unchanged (the reported bug left a "manually assigned" Silver).
    await menu(page, 'Recalculate tier progress');
    dialog = page.getByRole('dialog', { name: 'Recalculate tier progress?' });
    await dialog.getByText(docs['Recalculate tier progress']!.replace('<tier>', 'Bronze'), { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Recalculate' }).click();
    await page.getByText('Tier progress recalculated from the customer history. The tier did not change.').waitFor();
    await page.waitForLoadState('networkidle');
    card = await tierCard(page);
    expect([card.name, card.manual]).toEqual(['Bronze', 1]);
    expect(await profile(api, customer.id)).toMatchObject({ tier: { name: 'Bronze', manual: true } });

    // Release: the label goes, and the dialog shows at once the tier the progress earns, and why.
    await menu(page, 'Release manual tier');
    dialog = page.getByRole('dialog', { name: 'Release the manual tier?' });
    await dialog.getByText(docs['Release the manual tier']!.replace('<tier>', 'Bronze'), { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Release' }).click();
    const released = page.getByRole('dialog', { name: 'Manual tier released' });
    const standing = released.getByTestId('tier-standing');
    await standing.waitFor();
    expect(await standing.innerText()).toMatch(/^Tier now: Silver\n+Earned by progress: \$300\.00/);
    expect(await standing.innerText()).not.toContain('manually assigned');
    await released.getByRole('button', { name: 'Done' }).click();
    await expect.poll(async () => (await tierCard(page)).name, { timeout: 20_000 }).toBe('Silver');
    expect((await tierCard(page)).manual).toBe(0);
    now = await profile(api, customer.id);
    expect(now.tier).toMatchObject({ name: 'Silver', manual: false });
    expect(now.balances.active).toBe(start.balances.active);
    await context.close();
  });

  it('grants the disclosed entry reward, and after a release shows the pending downgrade with its date on the tier card', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN, { width: 1280, height: 720 });
    const me = await api.get<{ organization: { timezone: string } }>('/api/v1/me');
    const tz = me.organization.timezone;
    const year = Number(new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric' }).format(new Date()));
    const customer = await createCustomer(api);
    // Gold-worthy last year, Silver this year: Gold is kept through this year, then goes.
    await api.send('POST', '/api/v1/orders', { externalId: `LY-${customer.id.slice(-8)}`, customerId: customer.id, total: { amount: '1200.00', currency: 'USD' }, status: 'paid', placedAt: `${year - 1}-06-15T12:00:00Z` });
    await placeOrder(api, customer.id, '300.00');
    const start = await profile(api, customer.id);
    expect(start.tier).toMatchObject({ name: 'Silver', manual: false });

    await page.goto(`/customers/${customer.id}`);
    await menu(page, 'Change tier or progress');
    const dialog = page.getByRole('dialog', { name: 'Change tier' });
    await chooseTier(page, dialog, 'Gold');
    await dialog.getByTestId('entry-reward').getByText('This will also add 250 points: Gold entry reward.').waitFor();
    expect(await dialog.getByRole('checkbox', { name: 'Add the Gold entry reward' }).isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Assign tier' }).click();
    await page.getByText('Gold is now manually assigned.').waitFor();
    await expect.poll(async () => (await profile(api, customer.id)).balances.active).toBe(start.balances.active + 250);
    await expect.poll(async () => page.getByTestId('active-points').textContent()).toBe((start.balances.active + 250).toLocaleString('en-US'));

    await menu(page, 'Release manual tier');
    await page.getByRole('dialog', { name: 'Release the manual tier?' }).getByRole('button', { name: 'Release' }).click();
    const released = page.getByRole('dialog', { name: 'Manual tier released' });
    await released.getByTestId('tier-standing').waitFor();
    const after = await profile(api, customer.id);
    expect(after.tier).toMatchObject({ name: 'Gold', manual: false, downgradePending: { to: { name: 'Silver' } } });
    // docs/tiers.md: calendar year -> the end of the year plus the grace days (30).
    const at = new Date(after.tier!.downgradePending!.at);
    const date = new Intl.DateTimeFormat('en-US', { timeZone: tz, dateStyle: 'medium' }).format(at);
    expect(date).toBe(`Jan 31, ${year + 1}`);
    const standing = await released.getByTestId('tier-standing').innerText();
    expect(standing).toContain('Tier now: Gold');
    expect(standing).toContain('Kept until the assessment moves it down: progress $300.00 this year is below it');
    expect(standing).toContain(`Downgrade pending: to Silver on ${date}.`);
    await released.getByRole('button', { name: 'Done' }).click();

    await page.waitForLoadState('networkidle');
    const card = await tierCard(page);
    expect([card.name, card.manual]).toEqual(['Gold', 0]);
    expect(card.reason).toMatch(/^Kept until the assessment moves it down: progress \$300\.00 this year is below it/);
    expect(card.downgrade).toBe(`Moves to Silver on ${date}: $300.00 in ${year} is below Gold ($1,000.00); unless it reaches $1,000.00 by Dec 31, ${year}.`);
    expect(await inViewport(page, page.getByTestId('tier-downgrade'))).toBe(true);
    await context.close();
  });

  it('says the welcome bonus before a guest becomes a member, and adds exactly that', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN, { width: 1280, height: 720 });
    const customer = await createCustomer(api, { accountState: 'guest' });
    const start = await profile(api, customer.id);
    expect(start.membershipType).toBe('guest');
    await page.goto(`/customers/${customer.id}`);
    await menu(page, 'Change membership type');
    const dialog = page.getByRole('dialog', { name: 'Change membership type' });
    await dialog.getByRole('radio', { name: /Member/ }).check();
    await dialog.getByTestId('welcome-bonus').getByText('This will also add 100 points: Welcome bonus (once per customer).').waitFor();
    await dialog.getByRole('radio', { name: /Left program/ }).check();
    await expect.poll(() => dialog.getByTestId('welcome-bonus').count()).toBe(0);
    await dialog.getByRole('radio', { name: /Member/ }).check();
    await dialog.getByTestId('welcome-bonus').waitFor();
    await dialog.getByRole('button', { name: 'Change to Member' }).click();
    await page.getByText('Membership changed to Member.').waitFor();
    await expect.poll(async () => (await profile(api, customer.id)).balances.active).toBe(start.balances.active + 100);
    await expect.poll(async () => page.getByTestId('active-points').textContent()).toBe((start.balances.active + 100).toLocaleString('en-US'));
    await context.close();
  });
});
