import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE, freshDatabase } from '../helpers/harness.js';
import { childEnv, cli, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

// Idempotency-Key across kill -9: a real `patron serve` process is killed while requests
// are between their claim and their commit; retried with the same keys and bodies after a
// restart, every request answers 2xx and is applied exactly once.
const dataDir = mkdtempSync(join(tmpdir(), 'patron-crash-'));
let dbUrl: string | undefined;
let dropDb: () => Promise<void> = async () => {};
let env: NodeJS.ProcessEnv;
let apiKey: string;
let server: ServerProcess | null = null;

beforeAll(async () => {
  const fresh = await freshDatabase();
  dbUrl = fresh.url;
  dropDb = fresh.drop;
  env = childEnv({ dataDir, databaseUrl: dbUrl });
  expect(cli(env, ['migrate']).code).toBe(0);
  expect(cli(env, ['org', 'create', '--slug', 'crash', '--name', 'Crash test']).code).toBe(0);
  const key = cli(env, ['api-key', 'create', '--org', 'crash', '--name', 'shop', '--scopes', 'customers:read,customers:write,points:adjust']);
  expect(key.code).toBe(0);
  apiKey = key.stdout.trim().split('\n').pop()!;
}, 180_000);

afterAll(async () => {
  await server?.kill();
  await dropDb();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown, key?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  if (key) headers['idempotency-key'] = key;
  const res = await fetch(server!.baseUrl + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, text: await res.text(), replayed: res.headers.get('idempotent-replayed') === 'true' };
}

async function newCustomer(): Promise<string> {
  const externalId = `crash-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const r = await call('POST', '/api/v1/customers', { externalId, email: `${externalId}@example.com`, accountState: 'registered' });
  expect(r.status).toBe(201);
  return (JSON.parse(r.text) as { id: string }).id;
}

async function balance(customerId: string): Promise<number> {
  const r = await call('GET', `/api/v1/customers/${customerId}`);
  return (JSON.parse(r.text) as { balances: { active: number } }).balances.active;
}

describe(`Idempotency-Key across kill -9 on ${ENGINE}`, () => {
  it('requests in flight when the server is killed are applied exactly once when retried', async () => {
    server = await startServerProcess(env);
    const customerId = await newCustomer();
    const keys = Array.from({ length: 12 }, (_, i) => `crash-${customerId}-${i}`);
    const body = (i: number) => ({ direction: 'add', points: 5, reason: `crash run ${i}` });
    const url = `/api/v1/customers/${customerId}/points/adjustments`;
    const acked = new Map<string, string>();
    const inFlight = keys.map((k, i) =>
      call('POST', url, body(i), k)
        .then((r) => {
          if (r.status === 201) acked.set(k, r.text);
        })
        .catch(() => {}),
    );
    // Kill as soon as the first request is acknowledged: the others are somewhere between
    // their claim and their commit.
    const first = Promise.race(inFlight);
    await first;
    await server.kill();
    await Promise.all(inFlight);
    expect(acked.size).toBeLessThan(keys.length);

    server = await startServerProcess(env);
    for (const [i, k] of keys.entries()) {
      const r = await call('POST', url, body(i), k);
      expect(r.status, `retry of ${k}: ${r.text}`).toBe(201);
      if (acked.has(k)) {
        expect(r.replayed).toBe(true);
        expect(r.text).toBe(acked.get(k));
      }
    }
    expect(await balance(customerId)).toBe(5 * keys.length);
    // And once more: every key now replays, nothing is added.
    for (const [i, k] of keys.entries()) expect((await call('POST', url, body(i), k)).replayed).toBe(true);
    expect(await balance(customerId)).toBe(5 * keys.length);
    await server.stop();
    server = null;
  }, 300_000);

  it.runIf(ENGINE === 'postgres')('a request killed while its claim is held and its write is waiting is applied once on retry', async () => {
    server = await startServerProcess(env);
    const customerId = await newCustomer();
    const blocker = new pg.Client({ connectionString: dbUrl });
    await blocker.connect();
    try {
      // Hold the customer's row lock so the request stops after claiming its key.
      await blocker.query('begin');
      await blocker.query('select id from customers where id = $1 for update', [customerId]);
      const url = `/api/v1/customers/${customerId}/points/adjustments`;
      const body = { direction: 'add', points: 40, reason: 'blocked' };
      const pending = call('POST', url, body, `blocked-${customerId}`).catch(() => null);
      for (let i = 0; ; i++) {
        const { rows } = await blocker.query<{ n: number }>(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()",
        );
        if (rows[0]!.n > 0) break;
        if (i > 300) throw new Error('the request never reached the row lock');
        await new Promise((r) => setTimeout(r, 100));
      }
      await server.kill();
      expect(await pending).toBeNull();
      await blocker.query('rollback');
      server = await startServerProcess(env);
      const retry = await call('POST', url, body, `blocked-${customerId}`);
      expect(retry.status, retry.text).toBe(201);
      expect(retry.replayed).toBe(false);
      expect(await balance(customerId)).toBe(40);
      const again = await call('POST', url, body, `blocked-${customerId}`);
      expect(again.replayed).toBe(true);
      expect(again.text).toBe(retry.text);
      expect(await balance(customerId)).toBe(40);
    } finally {
      await blocker.end();
    }
    await server.stop();
    server = null;
  }, 300_000);
});
