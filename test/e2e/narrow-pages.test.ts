import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from './support/browser.js';
import { launchBrowser } from './support/browser.js';
import { createCustomer, tag, type CustomerRef } from './support/fixtures.js';
import { DEMO_ADMIN } from './support/server.js';
import { openPage } from './support/session.js';

/**
 * The bulk-action dialogs and the import page at a tablet's 820x1180 and at 1280x720 and
 * 1440x900: every control in reach without scrolling sideways, nothing cut.
 */
let browser: Browser;
let context: BrowserContext;
let page: Page;
let api: Api;
let t: string;
let people: CustomerRef[];

beforeAll(async () => {
  browser = await launchBrowser();
  ({ context, page, api } = await openPage(browser, DEMO_ADMIN, { width: 820, height: 1180 }));
  t = `narrow${tag()}`;
  people = [];
  for (const i of [1, 2]) people.push(await createCustomer(api, { firstName: `Bartholomew${i}`, lastName: 'Featherstonehaugh-Cholmondeley', email: `bartholomew.featherstonehaugh.${i}.${t}@a-rather-long-domain.example` }));
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

const SIZES = [
  { width: 820, height: 1180 },
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
];

/** Controls past the window's edges, anything that scrolls sideways, and clipped text inside `scope`. */
async function outOfReach(scope: string): Promise<string[]> {
  return page.evaluate((scope) => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    if (document.documentElement.scrollWidth > width) out.push(`page scrolls sideways (${document.documentElement.scrollWidth} > ${width})`);
    for (const root of Array.from(document.querySelectorAll<HTMLElement>(scope))) {
      for (const el of Array.from(root.querySelectorAll<HTMLElement>('*'))) {
        const style = getComputedStyle(el);
        if ((style.overflowX === 'auto' || style.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1) out.push(`scrolls sideways: ${el.className} (${el.scrollWidth} > ${el.clientWidth})`);
      }
      for (const el of Array.from(root.querySelectorAll<HTMLElement>('button, a, input, textarea, [role="tab"], [role="switch"], [role="radio"], [role="checkbox"]'))) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        const name = el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.getAttribute('name') ?? '';
        if (box.right > width + 1 || box.left < -1) out.push(`${el.tagName} "${name}" at ${Math.round(box.left)}-${Math.round(box.right)} of ${width}`);
        if (el.tagName === 'BUTTON' && el.scrollWidth > el.clientWidth + 1) out.push(`button text cut: "${name}"`);
      }
    }
    return out;
  }, scope);
}

describe('bulk dialogs and imports fit 820, 1280 and 1440 px windows', () => {
  it('never states the previous filter\'s count while the new one is loading', async () => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto('/customers');
    await page.getByText(/^[\d,]+ customers$/).waitFor({ timeout: 20_000 });
    const everyone = Number((await page.getByText(/^[\d,]+ customers$/).innerText()).replace(/\D/g, ''));
    // Every reach sentence the dialog ever shows, recorded as it appears.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { reachSeen: string[] }).reachSeen = seen;
      new MutationObserver(() => {
        for (const el of Array.from(document.querySelectorAll('[data-testid="bulk-reach"] p'))) {
          const text = el.textContent ?? '';
          if (/^This will change/.test(text) && seen[seen.length - 1] !== text) seen.push(text);
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    // The person types and goes straight to the bulk action, before the search's pause is over.
    await page.getByRole('searchbox', { name: 'Search customers' }).fill(t);
    await page.getByRole('button', { name: 'Adjust points…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Adjust points' });
    await dialog.getByText('This will change 2 customers.').waitFor({ timeout: 20_000 });
    expect(everyone).toBeGreaterThan(2);
    expect(await page.evaluate(() => (window as unknown as { reachSeen: string[] }).reachSeen)).toEqual(['This will change 2 customers.']);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  for (const size of SIZES) {
    it(`bulk dialogs at ${size.width}x${size.height}`, async () => {
      await page.setViewportSize(size);
      await page.goto(`/customers?search=${t}`);
      const table = page.getByRole('table', { name: 'Customers' });
      await expect.poll(() => table.getByRole('link').count(), { timeout: 20_000 }).toBe(2);
      expect(await outOfReach('main'), 'grid').toEqual([]);

      // Nothing selected: the dialog works on the filter.
      await page.getByRole('button', { name: 'Adjust points…' }).click();
      let dialog = page.getByRole('dialog', { name: 'Adjust points' });
      await dialog.getByText('This will change 2 customers.').waitFor();
      const points = dialog.getByRole('textbox', { name: 'Points per customer' });
      // Typed text stays as typed: "1.5" is refused, never read as 15.
      await points.fill('1.5');
      expect(await points.inputValue()).toBe('1.5');
      await dialog.getByText(/Points are whole numbers: "1\.5" has a decimal part/).waitFor();
      await points.fill('1e3');
      await dialog.getByText('"1e3" is not a whole number. Use digits only, for example 1000').waitFor();
      await points.fill('20000000');
      await dialog.getByText('At most 10,000,000 points at a time: 20,000,000 is more than that').waitFor();
      await points.fill('5');
      await dialog.getByRole('button', { name: 'Add points' }).click();
      await dialog.getByText('Say why the points change').waitFor();
      expect(await outOfReach('[role="dialog"]'), 'adjust dialog').toEqual([]);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });

      // A selection: both choices of reach, the membership moves and the welcome bonus.
      await table.getByRole('checkbox', { name: 'Select all loaded customers' }).check();
      await page.getByText('2 selected').waitFor();
      expect(await outOfReach('main'), 'grid with a selection').toEqual([]);
      await page.getByRole('button', { name: 'Change membership…' }).click();
      dialog = page.getByRole('dialog', { name: 'Change membership type' });
      await dialog.getByRole('radio', { name: 'The 2 selected customers' }).waitFor();
      await dialog.getByText('This will change 2 customers.').waitFor();
      expect(await outOfReach('[role="dialog"]'), 'membership dialog').toEqual([]);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });

      // A job that runs, and its outcome.
      await page.getByRole('button', { name: 'Adjust points…' }).click();
      dialog = page.getByRole('dialog', { name: 'Adjust points' });
      await dialog.getByRole('textbox', { name: 'Points per customer' }).fill('5');
      await dialog.getByLabel('Reason (internal)').fill(`Layout check at ${size.width}`);
      await dialog.getByRole('button', { name: 'Add points' }).click();
      await dialog.getByText('Changed 2 of 2 customers.').waitFor({ timeout: 30_000 });
      expect(await outOfReach('[role="dialog"]'), 'job outcome').toEqual([]);
      await dialog.getByRole('button', { name: 'Done' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await page.getByText(/selected$/).count()).toBe(0);
    });

    it(`import page at ${size.width}x${size.height}`, async () => {
      await page.setViewportSize(size);
      await page.goto('/imports');
      await page.getByRole('heading', { name: 'Imports', exact: true }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await outOfReach('main'), 'empty form').toEqual([]);
      const imp = `imp${tag()}`;
      const csv = [
        'externalId,email,firstName,lastName,birthday',
        `${imp}-1,ok.${imp}@import.example,Ada,Valid,1990-02-14`,
        `${imp}-2,not-an-email,Bad,Email,1991-03-01`,
      ].join('\n');
      const name = `a-long-customer-export-from-the-old-loyalty-system-${size.width}-${imp}.csv`;
      await page.locator('input[type="file"]').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByRole('button', { name: 'Check file (dry run)' }).click();
      await page.getByTestId('dry-run-report').getByText('1 of 2 rows are valid.').waitFor();
      expect(await outOfReach('main'), 'dry run report').toEqual([]);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const status = page.getByTestId('import-status');
      await status.getByText(/2 of 2 rows processed · 1 applied · 0 unchanged · 1 with errors/).waitFor({ timeout: 30_000 });
      // Status and kind in words, the finished import finished in the list too.
      await status.getByText('Done', { exact: true }).waitFor();
      await status.getByText(`· Customers`, { exact: false }).waitFor();
      const recent = page.getByRole('table', { name: 'Recent imports' }).getByRole('row').filter({ hasText: name });
      await expect.poll(() => recent.getByRole('cell').nth(2).innerText(), { timeout: 15_000 }).toMatch(/^done$/i);
      expect(await recent.getByRole('cell').nth(1).innerText()).toBe('Customers');
      expect(await outOfReach('main'), 'import result and recent imports').toEqual([]);
      await recent.getByRole('button').click();
      const detail = page.getByRole('dialog', { name: 'Import' });
      await detail.getByTestId('import-status').waitFor();
      expect(await outOfReach('[role="dialog"]'), 'import detail').toEqual([]);
      await page.keyboard.press('Escape');
      await detail.waitFor({ state: 'detached' });
    });
  }
});
