import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from './support/browser.js';
import { launchBrowser } from './support/browser.js';
import { createCustomer, tag, type CustomerRef } from './support/fixtures.js';
import { DEMO_ADMIN } from './support/server.js';
import { openPage } from './support/session.js';

let browser: Browser;
let context: BrowserContext;
let page: Page;
let api: Api;
let t: string;
let guests: CustomerRef[];
let hidden: CustomerRef;

beforeAll(async () => {
  browser = await launchBrowser();
  ({ context, page, api } = await openPage(browser, DEMO_ADMIN, { width: 1280, height: 720 }));
  t = `grid${tag()}`;
  guests = [];
  for (const i of [1, 2, 3]) guests.push(await createCustomer(api, { accountState: 'guest', firstName: `Guest${i}`, lastName: 'Bulk', email: `guest${i}.${t}@grid.example` }));
  hidden = await createCustomer(api, { firstName: 'Hidden', lastName: 'Bulk', email: `hidden.${t}@grid.example` });
  await api.send('PUT', `/api/v1/customers/${hidden.id}/reporting`, { excluded: true });
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

const table = () => page.getByRole('table', { name: 'Customers' });
const row = (c: CustomerRef) => table().getByRole('row').filter({ has: page.getByRole('link', { name: `${c.firstName} ${c.lastName}` }) });
const points = async (c: CustomerRef) => (await api.get<{ balances: { active: number } }>(`/api/v1/customers/${c.id}`)).balances.active;

/** The element is fully inside the window: no horizontal scrolling needed to reach it. */
async function inViewportWidth(l: Locator): Promise<boolean> {
  const box = await l.boundingBox();
  const width = page.viewportSize()!.width;
  return box !== null && box.x >= 0 && box.x + box.width <= width;
}

describe('customer grid: what bulk actions reach, and counts that say what they count', () => {
  it('fits every control at 1280 px and shows "Last updated" whole at 1440 px', async () => {
    await page.goto(`/customers?search=${t}`);
    await expect.poll(() => table().getByRole('link').count(), { timeout: 15_000 }).toBe(4);
    for (const name of ['Export CSV', 'Change membership…', 'Adjust points…', 'Save segment', 'Clear filters']) {
      expect([name, await inViewportWidth(page.getByRole('button', { name }).or(page.getByRole('link', { name })).first())]).toEqual([name, true]);
    }
    for (const name of ['Name', 'Points', 'Tier progress', 'Last updated']) {
      const header = table().getByRole('columnheader', { name: new RegExp(`^${name}`) });
      expect([name, await inViewportWidth(header)]).toEqual([name, true]);
    }
    const scroll = await page.evaluate(() => {
      const box = document.querySelector('table[aria-label="Customers"]')!.parentElement!;
      return { page: document.documentElement.scrollWidth - window.innerWidth, table: box.scrollWidth - box.clientWidth };
    });
    expect(scroll).toEqual({ page: 0, table: 0 });
    await page.setViewportSize({ width: 1440, height: 900 });
    const last = row(guests[0]!).getByRole('cell').last();
    expect(await last.innerText()).toMatch(/\d{4}/);
    expect(await inViewportWidth(last)).toBe(true);
    expect(await last.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('marks excluded customers and says which rule each count uses', async () => {
    await page.getByText('4 customers match').waitFor();
    await row(hidden).getByText('Not in reports').waitFor();
    expect(await row(guests[0]!).getByText('Not in reports').count()).toBe(0);
    await page.getByText('The export leaves out 1 customer excluded from reports that matches this list.').waitFor();
    await page.getByText('4 customers match').hover();
    await page.getByText(/including customers excluded from reports \(marked "Not in reports"\)\. The cards above leave those out\./).waitFor();
    await page.getByText('Not counting those excluded from reports').hover();
    await page.getByText(/Every customer of the organization except those excluded from reports/).waitFor();
    await page.getByText('Ordered, redeemed or took an action since the 1st').hover();
    await page.getByText(/Changes made by staff, imports, bulk changes and scheduled rewards do not count\./).waitFor();
    // The export's file name says which filter it holds.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^customers-search-${t}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  });

  it('clears a selection when the search changes and when filters are cleared', async () => {
    await row(guests[0]!).getByRole('checkbox').check();
    await row(guests[1]!).getByRole('checkbox').check();
    await page.getByText('2 selected').waitFor();
    await page.getByRole('searchbox', { name: 'Search customers' }).fill(`guest1.${t}`);
    await expect.poll(() => table().getByRole('link').count(), { timeout: 15_000 }).toBe(1);
    await page.getByText('1 customer matches').waitFor();
    expect(await page.getByText(/selected$/).count()).toBe(0);
    await row(guests[0]!).getByRole('checkbox').check();
    await page.getByText('1 selected').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByText(/^\d[\d,]* customers$/).waitFor();
    expect(await page.getByText(/selected$/).count()).toBe(0);
    // Nothing selected and no filter: the dialog says it reaches everyone and wants the count typed.
    await page.getByRole('button', { name: 'Adjust points…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Adjust points' });
    const everyone = (await dialog.getByText(/^This will change [\d,]+ customers\.$/).innerText()).replace(/[^0-9]/g, '');
    expect(Number(everyone)).toBeGreaterThan(100);
    await dialog.getByText('No search, filter or selection: this reaches every customer of the organization.').waitFor();
    await dialog.getByLabel('Points per customer').fill('1');
    await dialog.getByLabel('Reason (internal)').fill('Should not apply');
    await dialog.getByRole('button', { name: 'Add points' }).click();
    await dialog.getByText(`Type ${Number(everyone).toLocaleString('en-US')} to confirm`).first().waitFor();
    expect(await dialog.getByText(/^Working…|^Changed/).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('states how many customers a bulk change reaches, discloses the welcome bonus, and refreshes the grid', async () => {
    await page.goto(`/customers?search=${t}&membership=guest`);
    await expect.poll(() => table().getByRole('link').count(), { timeout: 15_000 }).toBe(3);
    await table().getByRole('checkbox', { name: 'Select all loaded customers' }).check();
    await page.getByText('3 selected').waitFor();
    await page.getByRole('button', { name: 'Change membership…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change membership type' });
    await dialog.getByText('This will change 3 customers.').waitFor();
    await dialog.getByRole('radio', { name: 'Every customer matching the current search and filters (3)' }).waitFor();
    await dialog.getByText(/^This will also add 100 points welcome bonus to each guest who becomes a member/).waitFor();
    await dialog.getByRole('radio', { name: 'Left program' }).check();
    expect(await dialog.getByText(/welcome bonus/).count()).toBe(0);
    await dialog.getByRole('radio', { name: 'Member' }).check();
    await dialog.getByRole('button', { name: 'Change to Member' }).click();
    await dialog.getByText('Changed 3 of 3 customers.').waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    // They left the filtered list, and the selection with them.
    await page.getByText('No customers match').waitFor();
    expect(await page.getByText(/selected$/).count()).toBe(0);
    for (const g of guests) expect(await points(g)).toBe(100);

    // A points job on the filter: the count first, then fresh balances without reloading.
    await page.getByRole('textbox', { name: 'Membership type', exact: true }).click();
    await page.getByRole('option', { name: 'Members' }).click();
    await expect.poll(() => table().getByRole('link').count(), { timeout: 15_000 }).toBe(4);
    await page.getByRole('button', { name: 'Adjust points…' }).click();
    const adjust = page.getByRole('dialog', { name: 'Adjust points' });
    await adjust.getByText('This will change 4 customers.').waitFor();
    await adjust.getByLabel('Points per customer').fill('25');
    await adjust.getByLabel('Reason (internal)').fill('Grid bulk test');
    await adjust.getByRole('button', { name: 'Add points' }).click();
    await adjust.getByText('Changed 4 of 4 customers.').waitFor({ timeout: 30_000 });
    await expect.poll(() => row(guests[2]!).getByRole('cell').nth(3).innerText(), { timeout: 10_000 }).toBe('125');
    // The excluded customer joined as a member with the welcome bonus: 100 + 25.
    expect(await row(hidden).getByRole('cell').nth(3).innerText()).toBe('125');
    await adjust.getByRole('button', { name: 'Done' }).click();
  });

  it('counts import rows with errors, not errors, and names the welcome bonus an import can grant', async () => {
    const ext = await Promise.all(guests.slice(0, 2).map(async (g) => (await api.get<{ externalId: string }>(`/api/v1/customers/${g.id}`)).externalId));
    await page.goto('/imports');
    await page.getByText(/^New customers join as members.*This will also add 100 points welcome bonus to each guest who becomes a member/).waitFor();
    await page.getByRole('textbox', { name: 'What the file contains' }).click();
    await page.getByRole('option', { name: 'Birthdays and anniversaries' }).click();
    const csv = `externalId,birthday,anniversary\n${ext[0]},1990-02-03,\n${ext[1]},1991-04-05,\n${ext[0]},1990-13-01,not-a-date\n`;
    await page.locator('input[type="file"]').setInputFiles({ name: `birthdays-${t}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Check file (dry run)' }).click();
    await page.getByText('2 of 3 rows are valid.').waitFor();
    await page.getByText('1 row with errors (2 errors)').waitFor();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('3 of 3 rows processed · 2 applied · 0 unchanged · 1 with errors (2 errors)').waitFor({ timeout: 30_000 });
    const recent = page.getByRole('table', { name: 'Recent imports' });
    await recent.getByRole('columnheader', { name: 'Rows with errors' }).waitFor();
    const cells = recent.getByRole('row').filter({ hasText: `birthdays-${t}.csv` }).getByRole('cell');
    await expect.poll(() => cells.nth(4).innerText(), { timeout: 15_000 }).toBe('1');
  });
});
