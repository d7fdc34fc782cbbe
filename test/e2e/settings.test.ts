import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, seriousA11yViolations, signIn } from './support/browser.js';
import { openPage } from './support/session.js';
import { DEMO_ADMIN } from './support/server.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('users and API keys (admins)', () => {
  it('invites a read-only staff member, who accepts with a new password and can then sign in', async () => {
    const { context, page } = await openPage(browser);
    await signIn(page, DEMO_ADMIN);
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByText(DEMO_ADMIN.email).first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    const email = `viewer-${Date.now()}@example.com`;
    await page.getByRole('button', { name: 'Invite someone' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Create invitation' }).click();
    await dialog.getByText('Enter an email address').waitFor();
    await dialog.getByLabel('Email').fill(email);
    await dialog.getByRole('button', { name: 'Viewer (read only)' }).click();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Create invitation' }).dblclick();
    const link = (await page.getByTestId('invitation-link').textContent())?.trim() ?? '';
    expect(link).toMatch(/\/invitations\/accept#token=[\w-]{20,}$/);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('table', { name: 'Pending invitations' }).getByText(email).waitFor();
    const pending = (await (await context.request.get('/api/v1/invitations')).json()) as { items: { email: string }[] };
    expect(pending.items.filter((i) => i.email === email)).toHaveLength(1);

    // The invited person opens the link in their own browser and chooses a password.
    const invited = await openPage(browser);
    await invited.page.goto(link);
    await invited.page.getByRole('heading', { name: /Join Demo/ }).waitFor();
    expect(await seriousA11yViolations(invited.page)).toEqual([]);
    await invited.page.getByLabel('Your name').fill('Vera Viewer');
    await invited.page.getByLabel('Choose a password').fill('a-long-password-1');
    await invited.page.getByRole('button', { name: 'Create my sign-in and join' }).click();
    await invited.page.getByRole('button', { name: /Account menu/ }).waitFor();
    const me = (await (await invited.context.request.get('/api/v1/me')).json()) as { role: string; permissions: string[]; user: { name: string } };
    expect(me).toMatchObject({ role: 'staff', permissions: ['customers:read'], user: { name: 'Vera Viewer' } });
    // Their name is theirs to change.
    await invited.page.getByRole('button', { name: /Account menu/ }).click();
    await invited.page.getByRole('menuitem', { name: 'Your profile' }).click();
    await invited.page.getByRole('dialog').getByLabel('Name').fill('Vera V. Viewer');
    await invited.page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await invited.page.getByText('Your details are saved.').waitFor();
    await invited.page.getByRole('button', { name: /Account menu/ }).filter({ hasText: 'Vera V. Viewer' }).waitFor();
    await invited.context.close();

    const list = (await (await context.request.get('/api/v1/users')).json()) as { items: { email: string; permissions: string[] }[] };
    const created = list.items.filter((u) => u.email === email);
    expect(created).toHaveLength(1);
    expect(created[0]!.permissions).toEqual(['customers:read']);
    await context.close();
  });

  it('revokes a pending invitation, and its link then says so', async () => {
    const { context, page } = await openPage(browser);
    await signIn(page, DEMO_ADMIN);
    await page.goto('/settings/users');
    const email = `revoked-${Date.now()}@example.com`;
    await page.getByRole('button', { name: 'Invite someone' }).click();
    await page.getByRole('dialog').getByLabel('Email').fill(email);
    await page.getByRole('dialog').getByRole('button', { name: 'Create invitation' }).click();
    const link = (await page.getByTestId('invitation-link').textContent())?.trim() ?? '';
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: `Revoke invitation for ${email}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke invitation' }).click();
    await page.getByText(`Revoked the invitation for ${email}`).waitFor();
    const invited = await openPage(browser);
    await invited.page.goto(link);
    await invited.page.getByRole('alert').filter({ hasText: /revoked/ }).waitFor();
    await invited.context.close();
    await context.close();
  });

  it('creates an API key, shows the secret once, and revokes it', async () => {
    const { context, page } = await openPage(browser);
    await signIn(page, DEMO_ADMIN);
    await page.getByRole('link', { name: 'API keys', exact: true }).click();
    await page.getByRole('heading', { name: 'API keys' }).first().waitFor();
    await page.getByRole('button', { name: 'Create API key' }).first().click();
    const dialog = page.getByRole('dialog');
    const name = `Storefront ${Date.now()}`;
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('api-key-secret').textContent())?.trim() ?? '';
    expect(secret.length).toBeGreaterThan(20);
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    const withKey = await context.request.get('/api/v1/organization', { headers: { authorization: `Bearer ${secret}` } });
    expect(withKey.status()).toBe(200);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('button', { name: `Revoke ${name}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.getByText(/Calls with it now answer 401/).waitFor();
    const after = await context.request.get('/api/v1/organization', { headers: { authorization: `Bearer ${secret}` } });
    expect(after.status()).toBe(401);
    await context.close();
  });
});
