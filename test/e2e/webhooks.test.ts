import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Receiver } from '../integration/webhooks-receiver.js';
import { launchBrowser, seriousA11yViolations } from './support/browser.js';
import { tag } from './support/fixtures.js';
import { DEMO_ADMIN } from './support/server.js';
import { openPage } from './support/session.js';

let browser: Browser;
let rx: Receiver;
beforeAll(async () => {
  browser = await launchBrowser();
  rx = await new Receiver().start();
});
afterAll(async () => {
  await browser?.close();
  await rx?.stop();
});

describe('webhooks settings', () => {
  it('adds an endpoint, shows its secret once, sends test events, logs a failed delivery with its answer and redelivers it', async () => {
    const { context, page, api } = await openPage(browser, DEMO_ADMIN);
    const path = `/e2e-${tag()}`;
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Add endpoint' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();
    await dialog.getByText('Give the full address').waitFor();
    await dialog.getByLabel('URL').fill(rx.url(path));
    await dialog.getByLabel('Description (optional)').fill('Order system');
    await dialog.getByLabel('Receive all events').uncheck();
    await dialog.getByRole('textbox', { name: 'Events' }).click();
    await page.getByRole('option', { name: 'points.adjusted' }).click();
    await page.keyboard.press('Escape'); // close the option list, not the dialog
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();

    const secret = ((await page.getByTestId('webhook-secret').textContent()) ?? '').trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    rx.trust(path, 'secret', secret);
    await page.getByRole('button', { name: 'I have stored it' }).click();

    await page.getByRole('button', { name: rx.url(path) }).click();
    await page.getByRole('heading', { name: rx.url(path) }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Send test event: delivered, verified by the receiver with the secret shown once.
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText('Test event delivered (HTTP 200).').waitFor();
    const [test] = await rx.waitFor(path, 1);
    expect(test!.verifiedWith).toEqual(['secret']);
    expect(test!.payload?.type).toBe('webhook.test');

    // A second test event the receiver answers with 500: failed attempt in the log with the answer, retry pending.
    rx.script(path, { status: 500, body: 'receiver is down for maintenance' });
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText('Test event failed: The endpoint answered HTTP 500').waitFor();
    const [, first] = await rx.waitFor(path, 2);
    expect(first!.verifiedWith).toEqual(['secret']);
    const log = page.getByTestId('delivery-log');
    const failed = log.getByRole('row').filter({ hasText: 'Pending' });
    await failed.getByText('500').waitFor();
    await failed.getByRole('button', { name: /Attempts of webhook.test/ }).click();
    const attempts = page.getByTestId('delivery-attempts');
    await attempts.getByText('receiver is down for maintenance').waitFor();
    await attempts.getByText(/Next attempt/).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Redeliver now: the same message again, delivered; both attempts in the log.
    await failed.getByRole('button', { name: 'Redeliver' }).click();
    await page.getByText('Redelivered.').waitFor();
    await attempts.getByRole('row').nth(2).waitFor(); // header + two attempts
    expect(await attempts.getByRole('row').count()).toBe(3);
    await attempts.getByRole('row').nth(2).getByText('200').waitFor();
    expect(await log.getByRole('row').filter({ hasText: 'Pending' }).count()).toBe(0);
    const [, , again] = await rx.waitFor(path, 3);
    expect(again!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(again!.body).toBe(first!.body);
    expect(again!.verifiedWith).toEqual(['secret']);

    // Disabled by hand: the reason is shown.
    await page.locator('label', { hasText: /^Enabled$/ }).click();
    await page.getByTestId('endpoint-disabled-reason').getByText(/Disabled by/).waitFor();
    await page.getByTestId('endpoint-status').getByText('Disabled').waitFor();

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete endpoint' }).click();
    await page.getByText('Endpoint deleted with its delivery log.').waitFor();
    const left = await api.get<{ items: { url: string }[] }>('/api/v1/webhook-endpoints');
    expect(left.items.map((e) => e.url)).not.toContain(rx.url(path));
    await context.close();
  });
});
