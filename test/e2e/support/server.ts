import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DEMO_ADMIN = { email: 'admin@demo.patron.dev', password: 'patron-demo-1234' };
export const DEMO_SUPPORT = { email: 'support@demo.patron.dev', password: 'patron-demo-1234' };
/** A second organization the demo admin also belongs to (for the organization switcher). */
export const SECOND_ORG = { slug: 'second-shop', name: 'Second Shop', currency: 'EUR', timezone: 'Europe/Paris' };

export interface RunningServer {
  baseUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// Webhook endpoints in the browser tests are local receivers on loopback: allowed explicitly.
function env(dataDir: string): NodeJS.ProcessEnv {
  return { ...process.env, PATRON_DATA_DIR: dataDir, PATRON_USE_SOURCES: '1', LOG_LEVEL: 'warn', DATABASE_URL: '', SESSION_SECRET: '', PATRON_WEBHOOKS_ALLOW_PRIVATE: 'true' };
}

/** Runs a CLI command against the data folder (before the server holds the embedded database). */
export function cli(dataDir: string, args: string[]): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/patron.js'), ...args], { cwd: ROOT, env: env(dataDir), encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`patron ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

/**
 * A CLI command forwarded to the running server, without blocking this process: a fake
 * outside service started by the test (a store, a marketing tool) can answer the server's
 * calls the command makes while it runs.
 */
export function cliAsync(dataDir: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/patron.js'), ...args], { cwd: ROOT, env: env(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

/** An organization of the test's own (so its settings change no other test's pages) with an admin. */
export function createOrgWithAdmin(dataDir: string, org: { slug: string; name: string }, admin: { email: string; password: string }): void {
  cli(dataDir, ['org', 'create', '--slug', org.slug, '--name', org.name, '--currency', 'USD', '--timezone', 'UTC']);
  cli(dataDir, ['user', 'create', '--org', org.slug, '--email', admin.email, '--password', admin.password, '--role', 'admin']);
}

async function waitReady(baseUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`patron serve exited (${child.exitCode}): ${output()}`);
    try {
      const res = await fetch(`${baseUrl}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`patron serve did not become ready: ${output()}`);
}

/** A fresh data folder, the demo organization (plus a second one for the demo admin), and `patron serve`. */
export async function startServer(): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'patron-e2e-'));
  cli(dataDir, ['seed', 'demo']);
  cli(dataDir, ['org', 'create', '--slug', SECOND_ORG.slug, '--name', SECOND_ORG.name, '--currency', SECOND_ORG.currency, '--timezone', SECOND_ORG.timezone]);
  cli(dataDir, ['user', 'create', '--org', SECOND_ORG.slug, '--email', DEMO_ADMIN.email, '--password', DEMO_ADMIN.password, '--role', 'admin']);
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'bin/patron.js'), 'serve', '--port', String(port)], { cwd: ROOT, env: env(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const baseUrl = `http://localhost:${port}`;
  await waitReady(baseUrl, child, () => log);
  return {
    baseUrl,
    dataDir,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
