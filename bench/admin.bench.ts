import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { launchBrowser, newPage, signIn } from '../test/e2e/support/browser.js';
import { startPatron } from './procs.js';

const exec = promisify(execFile);

/**
 * Grid first render in Chromium against a database with many customers: from a full page
 * load of /customers (signed in) to the first customer row on screen, and from clicking
 * Customers inside the app. Needs the admin build (npm run build:admin) and Debian's
 * chromium; uses an existing database URL (the grid benchmark's seeded one).
 */
export async function runAdminBench(o: { databaseUrl: string; org: string; runs?: number }) {
  const say = (s: string) => process.stdout.write(s + '\n');
  if (!existsSync('admin/dist/index.html')) throw new Error('build the admin first: npm run build:admin');
  const email = `bench-admin-${Date.now()}@example.com`;
  const password = 'bench-admin-password';
  const env = { ...process.env, DATABASE_URL: o.databaseUrl, SESSION_SECRET: 'bench-secret-bench-secret-bench-secret', LOG_LEVEL: 'warn' };
  await exec(process.execPath, ['bin/patron.js', 'user', 'create', '--org', o.org, '--email', email, '--password', password, '--role', 'admin'], { env });
  const server = await startPatron({ DATABASE_URL: o.databaseUrl, SESSION_SECRET: 'bench-secret-bench-secret-bench-secret' });
  const browser = await launchBrowser();
  try {
    const { context, page } = await newPage(browser, server.url, { width: 1440, height: 900 });
    await signIn(page, { email, password });
    const total = await page.evaluate(async () => ((await (await fetch('/api/v1/customers?limit=1')).json()) as { total: { value: number } }).total.value);
    const load: number[] = [];
    const nav: number[] = [];
    for (let i = 0; i < (o.runs ?? 7); i++) {
      const t0 = Date.now();
      await page.goto('/customers');
      await page.getByRole('table', { name: 'Customers' }).getByRole('link').first().waitFor();
      load.push(Date.now() - t0);
      await page.goto('/program/points');
      await page.getByRole('heading', { name: 'Points', exact: true }).waitFor();
      const t1 = Date.now();
      await page.getByRole('link', { name: 'Customers' }).first().click();
      await page.getByRole('table', { name: 'Customers' }).getByRole('link').first().waitFor();
      nav.push(Date.now() - t1);
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    say(`\n## Admin grid first render in Chromium (${total.toLocaleString('en-US')} customers, 1440x900)`);
    say(`full page load of /customers to first row: median ${med(load)} ms, max ${Math.max(...load)} ms (runs: ${load.join(', ')})`);
    say(`in-app navigation to Customers to first row: median ${med(nav)} ms, max ${Math.max(...nav)} ms (runs: ${nav.join(', ')}) (target < 1000 ms)`);
    await context.close();
    return { total, load, nav };
  } finally {
    await browser.close();
    await server.stop();
  }
}
