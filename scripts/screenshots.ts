/**
 * Refreshes the README screenshots in docs/screenshots/: the customer grid, a customer
 * profile and the adjust-points dialog. Starts its own Patron server on a fresh embedded
 * database, fills it with sample customers through the API, and drives Chromium.
 *
 *   npm run screenshots        (builds the admin first)
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Api, launchBrowser, newPage, signIn } from '../test/e2e/support/browser.js';
import { seedSampleStore } from '../test/e2e/support/sample-data.js';
import { DEMO_ADMIN, startServer } from '../test/e2e/support/server.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const { context, page } = await newPage(browser, server.baseUrl, { width: 1440, height: 900 });
    await signIn(page, DEMO_ADMIN);
    const { featured } = await seedSampleStore(new Api(context));

    await page.goto('/customers');
    await page.getByRole('table', { name: 'Customers' }).getByRole('link').first().waitFor();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: `${OUT}grid.png` });

    await page.goto(`/customers/${featured.id}?tab=points`);
    await page.getByTestId('ledger-row').first().waitFor();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: `${OUT}profile.png` });

    await page.getByRole('button', { name: 'Adjust points' }).click();
    const dialog = page.getByRole('dialog', { name: 'Adjust points' });
    await dialog.getByRole('textbox', { name: 'Points' }).fill('250');
    await dialog.getByLabel('Reason (internal)').fill('Missing points for an order');
    await dialog.getByLabel('Message to the customer').fill('Sorry about order #1042 — here are the points you should have earned.');
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}adjust-dialog.png` });
    process.stdout.write(`Wrote grid.png, profile.png and adjust-dialog.png to docs/screenshots/\n`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
