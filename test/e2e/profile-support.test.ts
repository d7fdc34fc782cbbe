import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { addPoints, createCustomer, createReward, tag } from './support/fixtures.js';
import { DEMO_ADMIN } from './support/server.js';
import { openPage } from './support/session.js';

/**
 * The customer page as a support agent meets it on day one: every control in reach without
 * horizontal scrolling, sentences instead of ids and codes, a points field that never reads
 * another number than the one typed.
 */
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** Controls whose right edge is past the viewport, or any element that scrolls sideways. */
async function outOfReach(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    if (document.documentElement.scrollWidth > width) out.push(`page scrolls sideways (${document.documentElement.scrollWidth} > ${width})`);
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('main *'))) {
      const style = getComputedStyle(el);
      if ((style.overflowX === 'auto' || style.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1) out.push(`scrolls sideways: ${el.className}`);
    }
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('main button, main a, main input, main [role="tab"], main [role="switch"]'))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.right > width + 1 || box.left < -1) out.push(`${el.tagName} "${el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''}" at ${Math.round(box.left)}-${Math.round(box.right)}`);
    }
    return out;
  });
}

/** Whether the element lies entirely inside the viewport (after scrolling it into view vertically). */
async function inViewport(page: Page, locator: ReturnType<Page['locator']>): Promise<boolean> {
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  const vp = page.viewportSize()!;
  return Boolean(box && box.x >= 0 && box.y >= 0 && box.x + box.width <= vp.width && box.y + box.height <= vp.height);
}

describe('the customer page for a support agent', () => {
  it('keeps the ledger visibility switch and every control in reach at 1280x720, 820x1180 and 1440x900; tabs come before the side cards on narrow screens', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN, { width: 1280, height: 720 });
    const customer = await createCustomer(api, { email: `a.very.long.address.for.layout.${tag()}@example-customer-domain.com` });
    await addPoints(api, customer.id, 250, 'Apology for a parcel that arrived three weeks late, with a long reason that has to wrap');
    await page.goto(`/customers/${customer.id}?tab=points`);
    for (const size of [
      { width: 1280, height: 720 },
      { width: 820, height: 1180 },
      { width: 1440, height: 900 },
    ]) {
      await page.setViewportSize(size);
      const toggle = page.getByRole('switch', { name: /Visible to customer/ }).first();
      await toggle.waitFor();
      expect(await inViewport(page, toggle), `visibility switch at ${size.width}`).toBe(true);
      expect(await outOfReach(page), `at ${size.width}x${size.height}`).toEqual([]);
    }

    await page.setViewportSize({ width: 820, height: 1180 });
    const tabsTop = (await page.getByRole('tablist').boundingBox())!.y;
    const identityTop = (await page.getByRole('heading', { name: 'Identity and membership' }).boundingBox())!.y;
    expect(tabsTop).toBeLessThan(identityTop);

    await page.setViewportSize({ width: 1280, height: 720 });
    for (const tab of ['Overview', 'Orders', 'Rewards', 'Referrals', 'Activity']) {
      await page.getByRole('tab', { name: tab }).click();
      await page.waitForLoadState('networkidle');
      expect(await outOfReach(page), `${tab} tab at 1280`).toEqual([]);
    }
    await context.close();
  });

  it('explains refusals and history in sentences: no API paths, ids, event codes or doubled order signs', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN, { width: 1280, height: 720 });
    const customer = await createCustomer(api);
    await addPoints(api, customer.id, 1045);
    const orderNumber = `#${1000 + Math.floor(Math.random() * 8999)}${tag()}`;
    await api.send('POST', '/api/v1/orders', { externalId: orderNumber, customerId: customer.id, total: { amount: '2400.00', currency: 'USD' }, status: 'paid' });
    const reward = await createReward(api, { pointsCost: 100 });

    await page.goto(`/customers/${customer.id}?tab=activity`);
    const items = page.getByTestId('activity-item');
    const order = items.filter({ hasText: /Order #/ }).first();
    await order.waitFor();
    expect(await order.textContent()).toContain(`Order ${orderNumber} placed: $2,400.00`);
    await order.getByRole('link', { name: orderNumber }).waitFor();
    const tierChange = items.filter({ hasText: /^Tier (raised|changed)/ }).first();
    await tierChange.waitFor();
    const tierText = (await tierChange.textContent()) ?? '';
    expect(tierText).toMatch(/Previous tier:/);
    expect(tierText).toMatch(/New tier:/);
    expect(tierText).toMatch(/Cause:/);
    await tierChange.getByRole('link', { name: orderNumber }).waitFor();
    const timeline = (await page.getByRole('tabpanel').textContent()) ?? '';
    expect(timeline).not.toMatch(UUID);
    expect(timeline).not.toContain('##');
    expect(timeline).not.toMatch(/\b(order\.created|tier\.changed|points\.adjusted)\b/);
    expect(timeline).not.toMatch(/\b(progress|tierId|orderId|balanceAfter): /);

    await page.getByRole('tab', { name: 'Overview' }).click();
    await page.getByText('Qualifying order', { exact: true }).waitFor();
    await page.getByRole('link', { name: orderNumber }).first().waitFor();
    await page.getByRole('tab', { name: 'Orders' }).click();
    await page.getByRole('table', { name: 'Orders' }).getByText(orderNumber, { exact: true }).waitFor();
    expect(await page.getByRole('table', { name: 'Orders' }).textContent()).not.toContain('##');

    // A birthday in the future: a sentence, not `birthday: must not be in the future`.
    await page.getByRole('button', { name: 'Edit birthday and anniversary' }).click();
    const dates = page.getByRole('dialog', { name: 'Birthday and anniversary' });
    await dates.getByLabel('Birthday').fill(`${new Date().getUTCFullYear() + 1}-01-15`);
    await dates.getByRole('button', { name: 'Save dates' }).click();
    const dateError = dates.getByRole('alert');
    await dateError.waitFor();
    expect(await dateError.textContent()).toContain('The birthday must not be in the future.');
    expect(await dateError.textContent()).not.toContain('birthday:');
    await dates.getByRole('button', { name: 'Cancel' }).click();

    // A customer who left the program: why the redemption is refused and what to do, in the console's words.
    await api.send('POST', `/api/v1/customers/${customer.id}/membership`, { type: 'left' });
    const frozen = (await api.get<{ balances: { active: number } }>(`/api/v1/customers/${customer.id}`)).balances.active;
    await page.reload();
    await page.getByRole('button', { name: 'Redeem reward' }).click();
    const redeem = page.getByRole('dialog', { name: 'Redeem a reward for the customer' });
    await redeem.getByRole('textbox', { name: 'Reward' }).click();
    await page.getByRole('option', { name: new RegExp(reward.name.replace(/[$()]/g, '\\$&')) }).click();
    await redeem.getByRole('button', { name: /^Redeem for/ }).click();
    const refusal = redeem.getByRole('alert');
    await refusal.waitFor();
    const refusalText = (await refusal.textContent()) ?? '';
    expect(refusalText).toContain('This customer left the program.');
    expect(refusalText).toContain(`Their ${frozen.toLocaleString('en-US')} points are kept but frozen`);
    expect(refusalText).toContain('Change membership type');
    expect(refusalText).not.toMatch(/\/api\/|POST|point\(s\)|\{/);
    expect(refusalText).not.toMatch(UUID);
    await context.close();
  });

  it('takes only whole numbers of points, says the real limit and never previews an impossible balance', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN, { width: 1280, height: 720 });
    const customer = await createCustomer(api);
    await addPoints(api, customer.id, 300);
    const start = (await api.get<{ balances: { active: number } }>(`/api/v1/customers/${customer.id}`)).balances.active;
    const n = (v: number) => v.toLocaleString('en-US');
    await page.goto(`/customers/${customer.id}`);
    await page.getByRole('button', { name: 'Adjust points' }).click();
    const dialog = page.getByRole('dialog', { name: 'Adjust points' });
    const points = dialog.getByRole('textbox', { name: 'Points' });
    const preview = dialog.getByRole('alert').filter({ hasText: 'Active balance' });

    await points.fill('1.5');
    expect(await points.inputValue()).toBe('1.5');
    await dialog.getByText(/Points are whole numbers: "1\.5" has a decimal part/).waitFor();
    expect(await preview.textContent()).not.toContain('→');

    await points.fill('1e3');
    expect(await points.inputValue()).toBe('1e3');
    await dialog.getByText('"1e3" is not a whole number. Use digits only, for example 1000').waitFor();
    expect(await preview.textContent()).not.toContain('→');

    await points.fill('20000000');
    await dialog.getByText('At most 10,000,000 points at a time: 20,000,000 is more than that').waitFor();
    expect(await dialog.textContent()).not.toContain('at least 1');

    await points.fill('1,000');
    expect(await preview.textContent()).toContain(`Active balance ${n(start)} points → ${n(start + 1000)} points after this adjustment`);

    await dialog.locator('label').filter({ hasText: 'Deduct points' }).click();
    await points.fill(String(start + 1));
    await dialog.getByText(`The active balance is ${n(start)} points; deduct at most that`).waitFor();
    const refused = (await preview.textContent()) ?? '';
    expect(refused).not.toContain('→');
    expect(refused).not.toMatch(/-\s?\d/);
    expect(refused).toContain('more than the customer has');

    await points.fill('120');
    expect(await preview.textContent()).toContain(`→ ${n(start - 120)} points after this adjustment`);
    await dialog.getByLabel('Reason (internal)').fill('Correction after a refund');
    await dialog.getByRole('button', { name: 'Deduct points' }).click();
    await page.getByText(`Deducted 120 points. New balance: ${n(start - 120)} points.`).waitFor();
    const profile = await api.get<{ balances: { active: number } }>(`/api/v1/customers/${customer.id}`);
    expect(profile.balances.active).toBe(start - 120);
    await context.close();
  });
});
