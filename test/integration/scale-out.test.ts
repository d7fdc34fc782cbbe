import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/harness.js';
import { childEnv, cli, cliAsync, patronCommand, ROOT, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { Receiver } from './webhooks-receiver.js';

// Two server processes and two job workers on one PostgreSQL database under concurrent load:
// adjustments (some retried with the same Idempotency-Key through the other server), orders,
// a bulk points job, a CSV export and the schedulers of both workers. No job or delivery runs
// twice, every balance is exactly what was asked, `patron verify` is clean, and a revoked API
// key or an ended session is refused by the other server within a second.
const onPostgres = Boolean(process.env.DATABASE_URL);
const dataDir = mkdtempSync(join(tmpdir(), 'patron-scale-'));

interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

async function startWorker(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  const cmd = patronCommand(env, ['worker']);
  const child = spawn(process.execPath, cmd.argv, { cwd: ROOT, env: cmd.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!/Worker worker-\S+ running/.test(log)) {
    if (child.exitCode !== null) throw new Error(`patron worker exited (${child.exitCode}): ${log}`);
    if (Date.now() > deadline) throw new Error(`patron worker did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    output: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array<T>(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]!();
      }
    }),
  );
  return out;
}

describe.skipIf(!onPostgres)('scale-out: two servers and two workers on one PostgreSQL (skipped on PGlite: processes cannot share an embedded database)', () => {
  let env: NodeJS.ProcessEnv;
  let dbUrl: string;
  let drop: () => Promise<void> = async () => {};
  let servers: ServerProcess[] = [];
  let workers: WorkerProcess[] = [];
  let db: pg.Client;
  const rx = new Receiver();

  beforeAll(async () => {
    await rx.start();
    const fresh = await freshDatabase();
    dbUrl = fresh.url!;
    drop = fresh.drop;
    env = {
      ...childEnv({ dataDir, databaseUrl: dbUrl }),
      DATABASE_POOL_SIZE: '6',
      PATRON_ENCRYPTION_KEY: 'scale-out-encryption-key-scale-out-key',
      PATRON_WEBHOOKS_ALLOW_PRIVATE: 'true',
    };
    expect(cli(env, ['migrate']).code).toBe(0);
    const setup = await Promise.all([
      cliAsync(env, ['org', 'create', '--slug', 'scale', '--name', 'Scale-out']),
      cliAsync(env, ['org', 'create', '--slug', 'other', '--name', 'Other organization']),
    ]);
    for (const r of setup) expect(r.code, r.stderr).toBe(0);
    const user = await cliAsync(env, ['user', 'create', '--org', 'scale', '--email', 'owner@scale.test', '--password', 'scale-out-password', '--role', 'admin']);
    expect(user.code, user.stderr).toBe(0);
    const serverEnv = { ...env, PATRON_WORKER: 'off' };
    [servers, workers] = await Promise.all([
      Promise.all([startServerProcess(serverEnv), startServerProcess(serverEnv)]),
      Promise.all([startWorker(env), startWorker(env)]),
    ]);
    db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...servers.map((s) => s.kill()), ...workers.map((w) => w.stop())]);
    await db?.end();
    await rx.stop();
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('applies every change once, runs every job once, keeps balances exact and caches coherent', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const login = await fetch(`${a.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@scale.test', password: 'scale-out-password' }),
    });
    expect(login.status).toBe(200);
    const session = {
      cookie: (login.headers.get('set-cookie') ?? '').split(';')[0]!,
      'x-csrf-token': ((await login.json()) as { csrfToken: string }).csrfToken,
    };
    const call = async (s: ServerProcess, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(s.baseUrl + path, {
        method,
        headers: { ...session, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
    };
    const keyRes = await call(b, 'POST', '/api/v1/api-keys', { name: 'shop', scopes: ['customers:read', 'customers:write', 'points:adjust'] });
    expect(keyRes.status, keyRes.text).toBe(201);
    const apiKey = keyRes.json() as { apiKey: { id: string }; secret: string };
    const bearer = { authorization: `Bearer ${apiKey.secret}` };
    const hook = await call(a, 'POST', '/api/v1/webhook-endpoints', { url: rx.url('/hook'), events: ['points.adjusted'] });
    expect(hook.status, hook.text).toBe(201);
    const endpointId = (hook.json().endpoint as { id: string }).id;

    // Customers, created through both servers: group A takes adjustments and the bulk job, group B orders.
    const created = await pool(
      8,
      Array.from({ length: 30 }, (_, i) => async () => {
        const r = await call(servers[i % 2]!, 'POST', '/api/v1/customers', { externalId: `scale-${i}`, email: `scale-${i}@example.com`, accountState: 'registered' }, bearer);
        expect(r.status, r.text).toBe(201);
        return (r.json() as { id: string }).id;
      }),
    );
    const groupA = created.slice(0, 20);
    const groupB = created.slice(20);
    const expected = new Map(groupA.map((id) => [id, 0]));

    // Concurrent load on both servers at once.
    const adjustments = Array.from({ length: 240 }, (_, i) => async () => {
      const id = groupA[(i * 7) % groupA.length]!;
      const points = 1 + (i % 9);
      const key = `scale-adj-${i}`;
      const body = { direction: 'add', points, reason: `scale-out ${i}` };
      const url = `/api/v1/customers/${id}/points/adjustments`;
      // Every fifth request is sent to both servers at once with the same key: applied once.
      const sends = i % 5 === 0 ? [a, b] : [servers[i % 2]!];
      const replies = await Promise.all(sends.map((s) => call(s, 'POST', url, body, { ...bearer, 'idempotency-key': key })));
      // The second waits for the first and answers its reply, byte for byte.
      for (const r of replies) expect(r.status, r.text).toBe(201);
      expect(new Set(replies.map((r) => r.text)).size).toBe(1);
      expected.set(id, expected.get(id)! + points);
    });
    const orders = Array.from({ length: 60 }, (_, i) => async () => {
      const r = await call(servers[i % 2]!, 'POST', '/api/v1/orders', { externalId: `scale-order-${i}`, customerId: groupB[i % groupB.length], total: { amount: `${20 + i}.50`, currency: 'USD' } }, bearer);
      expect(r.status, r.text).toBe(201);
    });
    const bulk = async () => {
      await new Promise((r) => setTimeout(r, 300));
      const r = await call(a, 'POST', '/api/v1/customers/points/bulk', { ids: groupA, direction: 'add', points: 7, reason: 'scale-out bulk' });
      expect(r.status, r.text).toBe(202);
      return (r.json() as { jobId: string }).jobId;
    };
    const exportCsv = async () => {
      await new Promise((r) => setTimeout(r, 500));
      const r = await call(b, 'GET', '/api/v1/customers/export.csv');
      expect(r.status, r.text.slice(0, 300)).toBe(200);
      return r.text.trim().split('\n').length - 1;
    };
    const [, , bulkJobId, exported] = await Promise.all([pool(12, adjustments), pool(4, orders), bulk(), exportCsv()]);
    expect(exported).toBe(30);
    for (const id of groupA) expected.set(id, expected.get(id)! + 7);

    // The workers finish the bulk job, the scheduled jobs and every webhook.
    await expect
      .poll(async () => (await call(b, 'GET', `/api/v1/jobs/${bulkJobId}`)).json().status, { timeout: 20_000, interval: 200 })
      .toBe('done');
    const settled = async () => {
      const r = await db.query<{ jobs: string; deliveries: string; hooks: string }>(
        `select (select count(*) from jobs where status in ('queued', 'running') and run_at <= now()) as jobs,
                (select count(*) from outbound_deliveries where status = 'pending') as deliveries,
                (select count(*) from webhook_deliveries where status = 'pending') as hooks`,
      );
      const row = r.rows[0]!;
      return Number(row.jobs) + Number(row.deliveries) + Number(row.hooks);
    };
    await expect.poll(settled, { timeout: 20_000, interval: 250 }).toBe(0);

    // Balances exact, through either server.
    for (const [i, id] of groupA.entries()) {
      const r = await call(servers[i % 2]!, 'GET', `/api/v1/customers/${id}`, undefined, bearer);
      expect((r.json() as { balances: { active: number } }).balances.active, id).toBe(expected.get(id));
    }

    // Every job ran once: none retried, none dead, one per schedule period and organization.
    const jobs = await db.query<{ type: string; status: string; attempts: number; dedupe_key: string | null; org_id: string }>('select type, status, attempts, dedupe_key, org_id from jobs');
    expect(jobs.rows.filter((j) => j.status !== 'done' && j.status !== 'queued')).toEqual([]);
    expect(jobs.rows.filter((j) => j.status === 'done' && j.attempts !== 1)).toEqual([]);
    const scheduled = jobs.rows.filter((j) => j.dedupe_key?.startsWith('schedule:'));
    expect(scheduled.length).toBeGreaterThan(0);
    expect(new Set(scheduled.map((j) => `${j.org_id} ${j.dedupe_key}`)).size).toBe(scheduled.length);
    expect(new Set(scheduled.map((j) => j.org_id)).size).toBe(2);
    const outcomes = await call(a, 'GET', `/api/v1/customers/points/bulk/${bulkJobId}/outcomes?limit=100`);
    const items = (outcomes.json() as { items: { customerId: string; status: string }[] }).items;
    expect(items.map((o) => o.customerId).sort()).toEqual([...groupA].sort());
    expect(items.every((o) => o.status === 'ok')).toBe(true);

    // Every webhook was sent once: one delivery per event, one request per delivery, first attempt.
    const hooks = await db.query<{ id: string; attempts: number; status: string }>('select id, attempts, status from webhook_deliveries where endpoint_id = $1', [endpointId]);
    const events = await db.query<{ n: string }>(`select count(*) as n from outbound_events where type = 'points.adjusted'`);
    expect(hooks.rows.length).toBe(Number(events.rows[0]!.n));
    expect(hooks.rows.length).toBeGreaterThanOrEqual(240 + groupA.length);
    expect(hooks.rows.filter((d) => d.status !== 'delivered' || d.attempts !== 1)).toEqual([]);
    const received = rx.received.filter((r) => r.path === '/hook').map((r) => String(r.headers['webhook-id']));
    expect(received.length).toBe(hooks.rows.length);
    expect(new Set(received).size).toBe(received.length);

    const verify = await cliAsync(env, ['verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);

    // A change made through one server is seen by the other within a second.
    expect((await call(b, 'GET', '/api/v1/me', undefined, bearer)).status).toBe(200);
    expect((await call(b, 'GET', '/api/v1/me')).status).toBe(200);
    const revoked = await call(a, 'DELETE', `/api/v1/api-keys/${apiKey.apiKey.id}`);
    expect(revoked.status, revoked.text).toBe(200);
    const t0 = Date.now();
    await expect.poll(async () => (await call(b, 'GET', '/api/v1/me', undefined, bearer)).status, { timeout: 1000, interval: 50 }).toBe(401);
    const keyMs = Date.now() - t0;
    const out = await call(a, 'POST', '/api/v1/auth/logout', {});
    expect(out.status, out.text).toBe(204);
    const t1 = Date.now();
    await expect.poll(async () => (await call(b, 'GET', '/api/v1/me')).status, { timeout: 1000, interval: 50 }).toBe(401);
    expect(keyMs).toBeLessThanOrEqual(1000);
    expect(Date.now() - t1).toBeLessThanOrEqual(1000);

    for (const w of workers) expect(w.output()).not.toMatch(/"level":(50|60)/);
    for (const s of servers) expect(s.output()).not.toMatch(/"level":(50|60)/);
  }, 120_000);
});
