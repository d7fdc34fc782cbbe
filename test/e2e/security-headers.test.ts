import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signIn } from './support/browser.js';
import { DEMO_ADMIN } from './support/server.js';
import { openPage } from './support/session.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Everything the page's Content-Security-Policy refused, as Chromium reports it. */
function watchViolations(page: Page): string[] {
  const refused: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) refused.push(msg.text());
  });
  return refused;
}

describe('pages under the Content-Security-Policy', () => {
  it('the admin app signs in and renders customers with nothing refused', async () => {
    const { context, page } = await openPage(browser);
    const refused = watchViolations(page);
    const first = await page.goto('/');
    expect(first?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(first?.headers()['x-frame-options']).toBe('DENY');
    await signIn(page, DEMO_ADMIN);
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('table', { name: 'Customers' }).getByRole('link').first().waitFor();
    expect(refused).toEqual([]);
    await context.close();
  });

  it('the API docs render the Patron API with nothing refused', async () => {
    const { context, page } = await openPage(browser);
    const refused = watchViolations(page);
    const res = await page.goto('/api/docs/');
    expect(res?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.getByRole('heading', { name: /Patron API/ }).waitFor();
    await page.getByText('/api/v1/customers', { exact: true }).first().waitFor();
    expect(refused).toEqual([]);
    await context.close();
  });
});
