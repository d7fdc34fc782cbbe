import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { addPoints, createCustomer, createReward } from './support/fixtures.js';
import { DEMO_ADMIN } from './support/server.js';
import { openPage } from './support/session.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Every badge on the page whose label is cut (it overflows its box, or ends in an ellipsis). */
async function truncatedBadges(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('.mantine-Badge-root')).flatMap((badge) => {
      const label = badge.querySelector<HTMLElement>('.mantine-Badge-label') ?? badge;
      const cut = [badge, label].some((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible');
      const ellipsis = getComputedStyle(label).textOverflow === 'ellipsis' && label.scrollWidth > label.clientWidth;
      return cut || ellipsis ? [`"${badge.textContent}" (${label.scrollWidth} > ${label.clientWidth})`] : [];
    }),
  );
}

describe('badges show their whole label', () => {
  it('in the customer grid and on every tab of the profile, at 1440, 1280 and 820 px', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN, { width: 1280, height: 720 });
    const customer = await createCustomer(api, { emailVerified: false, email: `verification.pending.with.a.long.address.${Date.now()}@example-customer-domain.com` });
    await addPoints(api, customer.id, 400);
    const reward = await createReward(api, { pointsCost: 100 });
    const coupon = await api.send<{ coupon: { id: string } }>('POST', `/api/v1/customers/${customer.id}/redemptions`, { rewardId: reward.id });
    await api.send('POST', `/api/v1/coupons/${coupon.coupon.id}/revoke`, { reason: 'Issued by mistake' });
    await api.send('POST', `/api/v1/customers/${customer.id}/membership`, { type: 'left' });

    for (const width of [1440, 1280, 820]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto('/customers');
      await page.getByRole('table', { name: 'Customers' }).getByRole('link').first().waitFor();
      await page.waitForLoadState('networkidle');
      expect(await truncatedBadges(page), `grid at ${width}`).toEqual([]);
      await page.goto(`/customers/${customer.id}`);
      // Every tab at the width where the page is tightest; the main ones at the others.
      for (const tab of width === 1280 ? ['Overview', 'Points', 'Rewards', 'Activity'] : ['Overview', 'Rewards']) {
        await page.getByRole('tab', { name: tab }).click();
        await page.waitForLoadState('networkidle');
        expect(await truncatedBadges(page), `${tab} at ${width}`).toEqual([]);
      }
    }
    expect(await page.locator('.mantine-Badge-root').filter({ hasText: 'Left program' }).count()).toBeGreaterThan(0);
    await context.close();
  });
});
