import type { Browser, BrowserContext, Page } from 'playwright-core';
import { inject } from 'vitest';
import { Api, newPage, signIn } from './browser.js';

/** A page in a fresh browser context on the run's server, optionally signed in, with an API client on its session. */
export async function openPage(browser: Browser, creds?: { email: string; password: string }, viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; api: Api }> {
  const { context, page } = await newPage(browser, inject('baseUrl'), viewport);
  if (creds) await signIn(page, creds);
  return { context, page, api: new Api(context) };
}
