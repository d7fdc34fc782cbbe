import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, seriousA11yViolations } from './support/browser.js';
import { tag } from './support/fixtures.js';
import { DEMO_ADMIN } from './support/server.js';
import { openPage } from './support/session.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('CSV import', () => {
  it('checks a file with errors in a dry run, reads the report, then imports the valid rows', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN);
    const t = tag();
    const csv = [
      'externalId,email,firstName,lastName,birthday',
      `imp-${t}-1,ok.${t}@import.example,Ada,Valid,1990-02-14`,
      `imp-${t}-2,not-an-email,Bad,Email,1991-03-01`,
      `imp-${t}-3,date.${t}@import.example,Bad,Date,1992-13-45`,
    ].join('\n');
    await page.goto('/imports');
    await page.getByRole('heading', { name: 'Imports', exact: true }).waitFor();
    await page.locator('input[type="file"]').setInputFiles({ name: `customers-${t}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Check file (dry run)' }).click();
    const report = page.getByTestId('dry-run-report');
    await report.getByText('1 of 3 rows are valid.').waitFor();
    const rows = report.getByTestId('import-error-row');
    await expect.poll(async () => rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toMatch(/^3email/);
    expect(await rows.nth(1).textContent()).toMatch(/^4birthday/);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const status = page.getByTestId('import-status');
    await status.getByText('done').waitFor({ timeout: 30_000 });
    await status.getByText(/3 of 3 rows processed · 1 applied · 0 unchanged · 2 with errors/).waitFor();
    await expect.poll(async () => status.getByTestId('import-error-row').count()).toBe(2);
    const found = await api.get<{ items: { email: string }[] }>(`/api/v1/customers?search=ok.${t}`);
    expect(found.items.map((c) => c.email)).toEqual([`ok.${t}@import.example`]);
    await context.close();
  });
});
