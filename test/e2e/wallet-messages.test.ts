import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGoogle } from '../integration/wallet-google-fake.js';
import { Api, launchBrowser, newPage, seriousA11yViolations, signIn } from './support/browser.js';
import { addPoints, createCustomer, tag } from './support/fixtures.js';
import { cli, cliAsync, ROOT } from './support/server.js';

/**
 * "Send loyalty card" and "Send push" from the customer profile, on a server of this test's
 * own: it needs an SMTP server (a local sink), a public URL and Google Wallet (a local fake of
 * Google's token endpoint and Wallet API), which the run's shared server does not have.
 */

const t = tag();
const ADMIN = { email: `wallet-${t}@example.com`, password: 'wallet-e2e-1234' };
const SLUG = `wallet-${t}`;
const ISSUER = '3388000000022222222';
const EMAIL = 'patron-wallet@loyalty-demo.iam.gserviceaccount.com';

let browser: Browser;
let google: FakeGoogle;
let sink: SMTPServer;
let server: ChildProcess | null = null;
let baseUrl = '';
let dataDir = '';
let log = '';
const mails: { to: string[]; raw: string }[] = [];
const saved: Record<string, string | undefined> = {};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The server's settings for this file, read by `cli` and `cliAsync` too (they pass the environment on). */
function setEnv(values: Record<string, string>): void {
  for (const [k, v] of Object.entries(values)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
}

const decoded = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

beforeAll(async () => {
  browser = await launchBrowser();
  google = await new FakeGoogle().start();
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  google.accounts.set(EMAIL, keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  sink = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const port = await freePort();
  baseUrl = `http://localhost:${port}`;
  setEnv({
    PATRON_SMTP_URL: `smtp://127.0.0.1:${(sink.server.address() as AddressInfo).port}`,
    PATRON_SMTP_FROM: 'Wallet Shop <loyalty@wallet-shop.example>',
    PATRON_PUBLIC_URL: baseUrl,
    PATRON_GOOGLE_WALLET_URL: google.origin,
    PATRON_GOOGLE_TOKEN_URL: google.tokenUrl,
  });
  dataDir = mkdtempSync(join(tmpdir(), 'patron-e2e-wallet-'));
  cli(dataDir, ['org', 'create', '--slug', SLUG, '--name', 'Wallet Shop', '--currency', 'USD', '--timezone', 'UTC']);
  cli(dataDir, ['user', 'create', '--org', SLUG, '--email', ADMIN.email, '--password', ADMIN.password, '--role', 'admin']);
  server = spawn(process.execPath, [join(ROOT, 'bin/patron.js'), 'serve', '--port', String(port)], {
    cwd: ROOT,
    env: { ...process.env, PATRON_DATA_DIR: dataDir, PATRON_USE_SOURCES: '1', LOG_LEVEL: 'warn', DATABASE_URL: '', SESSION_SECRET: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  for (let i = 0; ; i++) {
    if (server.exitCode !== null) throw new Error(`patron serve exited: ${log}`);
    const ok = await fetch(`${baseUrl}/readyz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 360) throw new Error(`patron serve did not become ready: ${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const keyFile = join(dataDir, 'service-account.json');
  writeFileSync(keyFile, JSON.stringify({ type: 'service_account', project_id: 'loyalty-demo', private_key_id: 'k1', private_key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), client_email: EMAIL }));
  const r = await cliAsync(dataDir, ['wallet', 'google', 'configure', '--org', SLUG, '--issuer-id', ISSUER, '--service-account', keyFile]);
  expect(r.code, r.out).toBe(0);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  await google?.stop();
  await new Promise<void>((resolve) => (sink ? sink.close(() => resolve()) : resolve()));
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('wallet messages from the customer profile', () => {
  it('staff send the loyalty card and a push; the e-mail arrives with the links, the push reaches Google, and both show on the card and the timeline', async () => {
    const { page, context } = await newPage(browser, baseUrl);
    await signIn(page, ADMIN);
    const api = new Api(context);
    const c = await createCustomer(api, { firstName: 'Noor', lastName: 'Haddad' });
    await addPoints(api, c.id, 420);
    await page.goto(`/customers/${c.id}`);
    const card = page.getByTestId('wallet-card');
    await card.getByRole('heading', { name: 'Wallet' }).waitFor();
    await expect.poll(() => card.getByTestId('wallet-balance').innerText()).toBe('420 points');
    expect(await card.getByTestId('wallet-pushes-sent').innerText()).toBe('0');
    expect(await card.getByTestId('wallet-clicks').innerText()).toBe('0');
    expect(await card.getByTestId('wallet-google').textContent()).toBe('Not saved');

    // Send loyalty card: the e-mail reaches the sink with the Google link and the pass web app.
    await card.getByRole('button', { name: 'Send loyalty card' }).click();
    await page.getByText(`Loyalty card sent to ${c.email}.`).waitFor();
    await expect.poll(() => mails.filter((m) => m.to.includes(c.email)).length).toBe(1);
    const text = decoded(mails.find((m) => m.to.includes(c.email))!.raw);
    const googleLink = new RegExp(`${baseUrl}/c/[A-Za-z0-9_-]{43}/google`).exec(text)?.[0];
    expect(googleLink, text).toBeDefined();
    expect(text).toContain(googleLink!.replace(/\/google$/, ''));
    expect(text).toContain('Add to Google Wallet');

    // The customer opens the link (Patron signs a save link) and saves the pass at Google.
    const opened = await fetch(googleLink!, { redirect: 'manual' });
    expect(opened.status).toBe(302);
    expect(opened.headers.get('location')).toMatch(/^https:\/\/pay\.google\.com\/gp\/v\/save\//);
    const link = await api.get<{ objectId: string }>(`/api/v1/customers/${c.id}/wallet/google`);
    google.objects.set(link.objectId, { id: link.objectId, classId: `${ISSUER}.x`, state: 'ACTIVE', hasUsers: true, version: '1' });

    // Send push: a dialog with a counted message field; an empty message is refused in place.
    await card.getByRole('button', { name: 'Send push' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send push' });
    await dialog.getByRole('button', { name: 'Send push' }).click();
    await dialog.getByText('Write the message the customer will see').waitFor();
    await dialog.getByLabel('Message').fill('Your 420 points are waiting: double points this weekend!');
    expect(await dialog.getByTestId('push-count').innerText()).toBe('56 / 300 characters');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Send push' }).click();
    await dialog.waitFor({ state: 'detached' });

    await expect.poll(() => card.getByTestId('wallet-pushes-sent').innerText(), { timeout: 60_000 }).toBe('1');
    const calls = google.calls('POST', `/walletobjects/v1/loyaltyObject/${encodeURIComponent(link.objectId)}/addMessage`);
    expect(calls).toHaveLength(1);
    expect(JSON.stringify(calls[0]!.body)).toContain('double points this weekend');
    await card.getByTestId('wallet-push').filter({ hasText: 'Sent' }).waitFor();
    await expect.poll(() => card.getByTestId('wallet-google').textContent()).toBe('Saved');

    // The timeline tells the story in sentences.
    await page.getByRole('tab', { name: 'Activity' }).click();
    const items = page.getByTestId('activity-item');
    await items.filter({ hasText: `Loyalty card sent to ${c.email} (Google Wallet)` }).waitFor();
    await items.filter({ hasText: 'Push created: "Your 420 points are waiting: double points this weekend!"' }).waitFor();
    await items.filter({ hasText: 'Push sent to Google Wallet' }).first().waitFor({ timeout: 30_000 });
    expect(await items.filter({ hasText: 'Push sent to Google Wallet' }).first().innerText()).toContain('Platforms: Google Wallet');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });
});
