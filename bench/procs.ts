import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import pg from 'pg';

const exec = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface Server {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

async function waitFor(url: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server at ${url} did not become ready`);
}

/**
 * Starts `patron serve` in its own process (so the load generator does not share its CPU time
 * slice): one server process unless `processes` asks for more (`serve --processes N`, PostgreSQL only).
 */
export async function startPatron(env: Record<string, string>, opts: { processes?: number } = {}): Promise<Server> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['bin/patron.js', 'serve', '--port', String(port), '--processes', String(opts.processes ?? 1)], {
    env: { ...process.env, LOG_LEVEL: 'warn', PATRON_WORKER: 'off', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // "Patron is running" is printed once every server process listens.
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-10_000)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/readyz`);
  const until = Date.now() + 60_000;
  while (!out.includes('Patron is running')) {
    if (Date.now() > until || proc.exitCode !== null) throw new Error(`patron serve at ${url} did not report that it runs`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, proc, stop: () => stopProc(proc) };
}

export async function startBare(): Promise<Server> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-server.ts'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/bare`);
  return { url, proc, stop: () => stopProc(proc) };
}

function stopProc(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
    setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
  });
}

/** Creates (or recreates) a database next to the one in `baseUrl` and returns its URL. */
export async function recreateDatabase(baseUrl: string, name: string): Promise<string> {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  await c.query(`drop database if exists ${name} with (force)`);
  await c.query(`create database ${name}`);
  await c.end();
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropDatabase(baseUrl: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  await c.query(`drop database if exists ${name} with (force)`);
  await c.end();
}

function pgArgs(url: string): string[] {
  const u = new URL(url);
  return ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres'), u.pathname.slice(1)];
}

/** Runs pgbench and returns its TPS (excluding connection time). */
export async function pgbench(url: string, args: string[]): Promise<number> {
  const [h, host, p, port, U, user, db] = pgArgs(url);
  const { stdout } = await exec('pgbench', [h!, host!, p!, port!, U!, user!, ...args, db!], { maxBuffer: 10 * 1024 * 1024 });
  const m = /tps = ([\d.]+) \((without initial connection time|excluding connections establishing)\)/.exec(stdout);
  if (!m) throw new Error(`could not read pgbench output:\n${stdout}`);
  return Number(m[1]);
}

export async function pgbenchInit(url: string, scale: number): Promise<void> {
  const [h, host, p, port, U, user, db] = pgArgs(url);
  await exec('pgbench', [h!, host!, p!, port!, U!, user!, '-i', '-q', '-s', String(scale), db!], { maxBuffer: 10 * 1024 * 1024 });
}
