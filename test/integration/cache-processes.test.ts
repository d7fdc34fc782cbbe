import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE, freshDatabase } from '../helpers/harness.js';
import { childEnv, cli, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

// Two `patron serve` processes on one PostgreSQL database, each with its in-process cache of
// API keys, sessions and settings (src/db/invalidation.ts): a key revoked, a session ended or
// a setting changed through one process is seen by the other within a second, also after
// the other's invalidation listener lost its connection. (The embedded database is one
// process: its cache is tested in cache-invalidation.test.ts.)
const dataDir = mkdtempSync(join(tmpdir(), 'patron-cache-'));
let dbUrl: string | undefined;
let dropDb: () => Promise<void> = async () => {};
let a: ServerProcess | null = null;
let b: ServerProcess | null = null;
const EMAIL = 'owner@cache.example';
const PASSWORD = 'cache-test-password-1';

const describePg = ENGINE === 'postgres' ? describe : describe.skip;

beforeAll(async () => {
  if (ENGINE !== 'postgres') return;
  const fresh = await freshDatabase();
  dbUrl = fresh.url;
  dropDb = fresh.drop;
  const env = { ...childEnv({ dataDir, databaseUrl: dbUrl }), PATRON_WORKER: 'off' };
  expect(cli(env, ['migrate']).code).toBe(0);
  expect(cli(env, ['org', 'create', '--slug', 'cache', '--name', 'Cache test']).code).toBe(0);
  expect(cli(env, ['user', 'create', '--org', 'cache', '--email', EMAIL, '--password', PASSWORD, '--role', 'admin']).code).toBe(0);
  [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
}, 240_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await dropDb();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Session {
  cookie: string;
  csrf: string;
}

async function login(server: ServerProcess): Promise<Session> {
  const res = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

async function call(server: ServerProcess, method: string, path: string, auth: Session | string, body?: unknown) {
  const headers: Record<string, string> =
    typeof auth === 'string' ? { authorization: `Bearer ${auth}` } : { cookie: auth.cookie, 'x-csrf-token': auth.csrf };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(server.baseUrl + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A counter of the server's cache, from its /metrics. */
async function cacheStat(server: ServerProcess, stat: string): Promise<number> {
  const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const m = new RegExp(`^patron_cache\\{stat="${stat}"\\} (\\d+)`, 'm').exec(text);
  if (!m) throw new Error(`no patron_cache ${stat} in /metrics`);
  return Number(m[1]);
}

/** Requests through `server` until the cache serves them (its listener connects on first use). */
async function warm(server: ServerProcess, auth: Session | string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const before = await cacheStat(server, 'hits');
    expect((await call(server, 'GET', '/api/v1/me', auth)).status).toBe(200);
    if ((await cacheStat(server, 'hits')) > before) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the cache never served a request');
}

/** Milliseconds until `check` holds, polling every 10 ms for at most 5 s. */
async function timeUntil(check: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < 5000) {
    if (await check()) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 10));
  }
  return Infinity;
}

async function newKey(server: ServerProcess, admin: Session): Promise<{ id: string; secret: string }> {
  const res = await call(server, 'POST', '/api/v1/api-keys', admin, { name: `key-${Date.now()}`, scopes: ['customers:read', 'settings:manage'] });
  expect(res.status).toBe(201);
  return { id: (res.json.apiKey as { id: string }).id, secret: res.json.secret as string };
}

describePg('in-process caches across two server processes on PostgreSQL', () => {
  it('an API key revoked through one process is refused by the other within a second', async () => {
    const admin = await login(a!);
    const key = await newKey(a!, admin);
    await warm(b!, key.secret);
    expect((await call(b!, 'GET', '/api/v1/me', key.secret)).status).toBe(200);
    expect((await call(a!, 'DELETE', `/api/v1/api-keys/${key.id}`, admin)).status).toBe(200);
    const ms = await timeUntil(async () => (await call(b!, 'GET', '/api/v1/me', key.secret)).status === 401);
    expect(ms).toBeLessThan(1000);
    expect((await call(b!, 'GET', '/api/v1/me', key.secret)).json.error).toMatchObject({ code: 'API_KEY_REVOKED' });
  });

  it('a session signed out through one process is refused by the other within a second', async () => {
    const session = await login(a!);
    await warm(b!, session);
    expect((await call(a!, 'POST', '/api/v1/auth/logout', session, {})).status).toBeLessThan(300);
    const ms = await timeUntil(async () => (await call(b!, 'GET', '/api/v1/me', session)).status === 401);
    expect(ms).toBeLessThan(1000);
  });

  it('settings changed through one process are read by the other within a second', async () => {
    const admin = await login(a!);
    const key = await newKey(a!, admin);
    await warm(b!, key.secret);
    const rate = async () => (await call(b!, 'GET', '/api/v1/program', key.secret)).json.earnRate;
    const before = await rate();
    expect(await rate()).toBe(before);
    const next = before === '3' ? '4' : '3';
    expect((await call(a!, 'PATCH', '/api/v1/program', admin, { earnRate: next })).status).toBe(200);
    expect(await timeUntil(async () => (await rate()) === next)).toBeLessThan(1000);

    const name = async () => ((await call(b!, 'GET', '/api/v1/me', key.secret)).json.organization as { name: string }).name;
    expect((await call(a!, 'PATCH', '/api/v1/organization', admin, { name: 'Renamed across processes' })).status).toBe(200);
    expect(await timeUntil(async () => (await name()) === 'Renamed across processes')).toBeLessThan(1000);
  });

  it('a process whose listener lost its connection reconnects, and still refuses a revoked key within a second', async () => {
    const admin = await login(a!);
    const key = await newKey(a!, admin);
    await warm(b!, key.secret);
    await warm(a!, key.secret);
    const flushesBefore = await cacheStat(b!, 'flushes');
    // Cut every listener connection (both processes'); each reconnects and flushes its cache.
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    const cut = await c.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query = 'listen patron_invalidate'`);
    await c.end();
    expect(cut.rowCount).toBeGreaterThanOrEqual(2);
    expect(await timeUntil(async () => (await cacheStat(b!, 'flushes')) >= flushesBefore + 2)).toBeLessThan(5000);
    await warm(b!, key.secret);
    expect((await call(a!, 'DELETE', `/api/v1/api-keys/${key.id}`, admin)).status).toBe(200);
    const ms = await timeUntil(async () => (await call(b!, 'GET', '/api/v1/me', key.secret)).status === 401);
    expect(ms).toBeLessThan(1000);
  });
});
