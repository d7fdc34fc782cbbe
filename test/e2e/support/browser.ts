import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type APIResponse, type Browser, type BrowserContext, type Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export async function newPage(browser: Browser, baseURL: string, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, viewport, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
}

export async function signIn(page: Page, creds: { email: string; password: string }): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(creds.email);
  await page.getByLabel('Password').fill(creds.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: /Account menu/ }).waitFor();
}

/**
 * Calls the API with the page's session (cookie + CSRF), to build a test's own data.
 * Throws with the reply when it is not 2xx.
 */
export class Api {
  private csrf: string | null = null;
  constructor(private readonly context: BrowserContext) {}

  private async token(): Promise<string> {
    if (!this.csrf) {
      const me = (await (await this.context.request.get('/api/v1/me')).json()) as { csrfToken: string };
      this.csrf = me.csrfToken;
    }
    return this.csrf;
  }

  private async check<T>(res: APIResponse, what: string): Promise<T> {
    if (!res.ok()) throw new Error(`${what} -> ${res.status()} ${await res.text()}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : null) as T;
  }

  async get<T>(path: string): Promise<T> {
    return this.check<T>(await this.context.request.get(path), `GET ${path}`);
  }

  async send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await this.context.request.fetch(path, {
      method,
      headers: { 'x-csrf-token': await this.token(), 'content-type': 'application/json' },
      ...(body !== undefined ? { data: JSON.stringify(body) } : {}),
    });
    return this.check<T>(res, `${method} ${path}`);
  }
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Serious and critical accessibility problems on the page as it is now (axe-core). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // Evaluated by the browser's debugging protocol: an inline <script> tag would be refused by
  // the pages' Content-Security-Policy (script-src 'self').
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}
