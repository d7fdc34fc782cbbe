import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/harness.js';
import { childEnv, cli, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

// `patron serve --processes N`: N server processes share one port; the job worker runs in one
// of them; a crashed one is restarted; SIGTERM stops them all. Several processes need
// PostgreSQL (the embedded database lives inside one process), so that part runs on PostgreSQL only.
const onPostgres = Boolean(process.env.DATABASE_URL);
const dataDir = mkdtempSync(join(tmpdir(), 'patron-procs-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('patron serve --processes on the embedded database', () => {
  it('refuses more than one process with a line saying why and what to do', () => {
    const env = childEnv({ dataDir });
    const r = cli(env, ['serve', '--port', '0', '--processes', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--processes 2 needs PostgreSQL');
    expect(r.stderr).toContain('DATABASE_URL');
    const bad = cli(env, ['serve', '--processes', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--processes must be a whole number');
  });
});

/** A GET on a connection of its own (the cluster hands out connections, not requests). */
function getOnNewConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

function pidsOf(log: string): Map<number, number> {
  const pids = new Map<number, number>();
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    const rec = JSON.parse(line) as { msg?: string; serverProcess?: number; serverPid?: number };
    if (rec.msg?.startsWith('server process') && rec.msg.endsWith('started') && rec.serverProcess && rec.serverPid) pids.set(rec.serverProcess, rec.serverPid);
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Which server process (1..N) wrote each completed request's log line. */
function requestsByProcess(log: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    const rec = JSON.parse(line) as { msg?: string; process?: unknown };
    if (rec.msg === 'request completed' && typeof rec.process === 'number') counts.set(rec.process, (counts.get(rec.process) ?? 0) + 1);
  }
  return counts;
}

describe.skipIf(!onPostgres)('patron serve --processes 2 on PostgreSQL (skipped on PGlite: several processes need a shared database server)', () => {
  let server: ServerProcess | null = null;
  let drop: () => Promise<void> = async () => {};
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const fresh = await freshDatabase();
    drop = fresh.drop;
    env = { ...childEnv({ dataDir, databaseUrl: fresh.url }), LOG_LEVEL: 'info' };
    expect(cli(env, ['migrate']).code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await server?.kill();
    await drop();
  });

  it('serves from two processes on one port, restarts a crashed one, and stops both on SIGTERM', async () => {
    server = await startServerProcess(env, undefined, { processes: 2 });
    expect(server.output()).toMatch(/Patron is running at \S+ \(database: postgres\) with 2 processes/);
    const pids = pidsOf(server.output());
    expect([...pids.keys()].sort()).toEqual([1, 2]);
    // The job worker runs in process 1 only, so jobs are claimed by one worker per server.
    expect(server.output()).toMatch(/"serverProcess":1,"serverPid":\d+,"jobs":true/);
    expect(server.output()).toMatch(/"serverProcess":2,"serverPid":\d+,"jobs":false/);

    // Connections are handed to the processes in turn: both answer, and each says which it is in its log.
    for (let i = 0; i < 20; i++) expect(await getOnNewConnection(`${server.baseUrl}/api/v1/session`)).toBe(200);
    await expect.poll(() => requestsByProcess(server!.output()).size, { timeout: 5000 }).toBe(2);

    // A crashed process is replaced and the port keeps answering meanwhile.
    process.kill(pids.get(2)!, 'SIGKILL');
    await expect.poll(() => server!.output(), { timeout: 10_000 }).toContain('server process 2 exited with signal SIGKILL; restarting it');
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    await expect.poll(() => server!.output(), { timeout: 60_000, interval: 500 }).toContain('server process 2 ready again');
    const replacement = pidsOf(server.output()).get(2)!;
    expect(replacement).not.toBe(pids.get(2));
    expect(alive(replacement)).toBe(true);

    // SIGTERM to the primary stops every server process gracefully.
    const code = await server.stop();
    expect(code).toBe(0);
    expect(server.output()).toContain('Shutting down...');
    expect(alive(pids.get(1)!)).toBe(false);
    expect(alive(replacement)).toBe(false);
    server = null;
  }, 120_000);
});
