/**
 * Refreshes the screenshots in docs/screenshots/ at a desktop width (1440x900: grid.png,
 * profile.png, adjust-dialog.png, …) and a tablet width (820x1180: the same names ending in
 * -820). Starts its own Patron server on a fresh embedded database, fills it with sample
 * customers through the API, and drives Chromium.
 *
 *   npm run screenshots        (builds the admin first)
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { Api, launchBrowser, newPage, signIn } from '../test/e2e/support/browser.js';
import { seedSampleStore } from '../test/e2e/support/sample-data.js';
import { DEMO_ADMIN, startServer } from '../test/e2e/support/server.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const SIZES = [
  { width: 1440, height: 900, suffix: '' },
  { width: 820, height: 1180, suffix: '-820' },
];

const IMPORT_CSV = [
  'externalId,email,firstName,lastName,birthday',
  'legacy-20417,june.okoro@example.com,June,Okoro,1992-08-19',
  'legacy-20418,not-an-email,Marta,Lindqvist,1989-01-30',
  'legacy-20419,felix.brandt@example.com,Felix,Brandt,1990-02-31',
].join('\n');

/** Nothing loading any more: no request in flight, no skeleton placeholder left. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => document.querySelectorAll('.mantine-Skeleton-root').length === 0, undefined, { timeout: 30_000 });
  await page.waitForTimeout(300);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await startServer();
  const browser = await launchBrowser();
  const written: string[] = [];
  try {
    const { context, page } = await newPage(browser, server.baseUrl, { width: 1440, height: 900 });
    await signIn(page, DEMO_ADMIN);
    const api = new Api(context);
    const { featured } = await seedSampleStore(api);
    // A profile edit, so the timeline shows what changed.
    await api.send('PATCH', `/api/v1/customers/${featured.id}`, { birthday: '1990-04-21' });
    const shot = async (name: string, suffix: string) => {
      await page.screenshot({ path: `${OUT}${name}${suffix}.png` });
      written.push(`${name}${suffix}.png`);
    };

    for (const { width, height, suffix } of SIZES) {
      await page.setViewportSize({ width, height });

      await page.goto('/customers');
      await page.getByRole('table', { name: 'Customers' }).getByRole('link').first().waitFor({ timeout: 60_000 });
      await settle(page);
      await shot('grid', suffix);

      await page.getByRole('textbox', { name: 'Membership type', exact: true }).click();
      await page.getByRole('option', { name: 'Guests' }).click();
      await page.waitForURL(/membership=guest/);
      await page.getByText(/^\d+ customers match$/).waitFor();
      await settle(page);
      await page.getByRole('button', { name: 'Change membership…' }).click();
      await page.getByRole('dialog', { name: 'Change membership type' }).getByText(/welcome bonus/).waitFor();
      await settle(page);
      await shot('bulk-dialog', suffix);
      await page.keyboard.press('Escape');

      await page.goto(`/customers/${featured.id}`);
      await page.getByTestId('tier-name').waitFor();
      await settle(page);
      await shot('profile-overview', suffix);

      await page.goto(`/customers/${featured.id}?tab=points`);
      await page.getByTestId('ledger-row').first().waitFor();
      await settle(page);
      await shot('profile', suffix);

      await page.getByRole('button', { name: 'Adjust points' }).click();
      const dialog = page.getByRole('dialog', { name: 'Adjust points' });
      await dialog.getByRole('textbox', { name: 'Points' }).fill('250');
      await dialog.getByLabel('Reason (internal)').fill('Missing points for an order');
      await dialog.getByLabel('Message to the customer').fill('Sorry about order #1042 — here are the points you should have earned.');
      await settle(page);
      await shot('adjust-dialog', suffix);
      await page.keyboard.press('Escape');

      await page.goto(`/customers/${featured.id}?tab=activity`);
      await page.getByTestId('activity-item').first().waitFor();
      await settle(page);
      await shot('timeline', suffix);

      await page.getByRole('button', { name: 'More actions' }).click();
      await page.getByRole('menuitem', { name: 'Change tier or progress' }).click();
      const tier = page.getByRole('dialog', { name: 'Change tier' });
      await tier.getByRole('textbox', { name: 'Tier', exact: true }).click();
      await page.getByRole('option', { name: 'Gold' }).click();
      await tier.getByTestId('entry-reward').waitFor();
      await settle(page);
      await shot('tier-dialog', suffix);
      await page.keyboard.press('Escape');

      await page.goto('/imports');
      await page.getByRole('heading', { name: 'Imports', exact: true }).waitFor();
      await page.locator('input[type="file"]').setInputFiles({ name: 'customers-from-the-old-shop.csv', mimeType: 'text/csv', buffer: Buffer.from(IMPORT_CSV) });
      await page.getByRole('button', { name: 'Check file (dry run)' }).click();
      await page.getByTestId('dry-run-report').waitFor();
      await settle(page);
      await shot('imports', suffix);
    }
    process.stdout.write(`Wrote ${written.join(', ')} to docs/screenshots/\n`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
