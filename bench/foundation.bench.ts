import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, runLoad, type LoadResult } from './load.js';
import { recreateDatabase, startBare, startPatron } from './procs.js';
import { prepareTenant } from './setup.js';

export async function runFoundationBench(o: { databaseUrl?: string | undefined; seconds: number; concurrency: number }): Promise<{ me: LoadResult; meKey: LoadResult; bare: LoadResult }> {
  const say = (s: string) => process.stdout.write(s + '\n');
  const engine = o.databaseUrl ? 'PostgreSQL' : 'embedded PGlite';
  say(`\n## Foundation: authenticated GET /api/v1/me vs a bare Fastify route (${engine}, ${o.concurrency} clients, ${o.seconds}s)`);
  const dir = mkdtempSync(join(tmpdir(), 'patron-bench-me-'));
  const secret = 'bench-secret-bench-secret-bench-secret';
  try {
    const url = o.databaseUrl ? await recreateDatabase(o.databaseUrl, 'patron_bench_me') : undefined;
    const tenant = await prepareTenant({ databaseUrl: url, dataDir: url ? undefined : join(dir, 'pglite'), customers: 10 });
    const server = await startPatron(url ? { DATABASE_URL: url, SESSION_SECRET: secret } : { PATRON_DATA_DIR: dir, SESSION_SECRET: secret, DATABASE_URL: '' });
    let me: LoadResult;
    let meKey: LoadResult;
    try {
      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: tenant.userEmail, password: tenant.userPassword }),
      });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      me = await runLoad({ url: server.url, concurrency: o.concurrency, seconds: o.seconds, request: () => ({ method: 'GET', path: '/api/v1/me', headers: { cookie } }) });
      say(`GET /api/v1/me with a session cookie: ${fmt(me)}`);
      meKey = await runLoad({ url: server.url, concurrency: o.concurrency, seconds: o.seconds, request: () => ({ method: 'GET', path: '/api/v1/me', headers: { authorization: `Bearer ${tenant.apiKey}` } }) });
      say(`GET /api/v1/me with an API key: ${fmt(meKey)}`);
    } finally {
      await server.stop();
    }
    const bareServer = await startBare();
    let bare: LoadResult;
    try {
      bare = await runLoad({ url: bareServer.url, concurrency: o.concurrency, seconds: o.seconds, request: () => ({ method: 'GET', path: '/bare' }) });
      say(`baseline bare Fastify GET: ${fmt(bare)}  -> /me is ${(me.rps / bare.rps).toFixed(2)}x bare`);
    } finally {
      await bareServer.stop();
    }
    return { me, meKey, bare };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
