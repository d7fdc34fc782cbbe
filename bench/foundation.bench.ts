import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, runLoad, type LoadResult } from './load.js';
import { recreateDatabase, startBare, startPatron } from './procs.js';
import { prepareTenant } from './setup.js';

/** Measurement rounds: the compared loads take turns, so a busy spell of the machine hits them alike. */
const ROUNDS = 4;

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
function cpuSeconds(pid: number | undefined): number | null {
  const file = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(file)) return null;
  // Fields after the command name: state is field 3, utime 14, stime 15 (clock ticks, 100 per second on Linux).
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Several runs of one load as one result: requests and errors added up, throughput over the
 * summed time, p50 weighted by requests, p95/p99 the worst round's.
 */
function combine(parts: LoadResult[]): LoadResult {
  const requests = parts.reduce((n, p) => n + p.requests, 0);
  const seconds = parts.reduce((n, p) => n + p.seconds, 0);
  const statusCounts: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.statusCounts)) statusCounts[k] = (statusCounts[k] ?? 0) + v;
  return {
    requests,
    errors: parts.reduce((n, p) => n + p.errors, 0),
    statusCounts,
    seconds,
    rps: seconds > 0 ? requests / seconds : 0,
    p50: requests > 0 ? parts.reduce((n, p) => n + p.p50 * p.requests, 0) / requests : 0,
    p95: Math.max(...parts.map((p) => p.p95)),
    p99: Math.max(...parts.map((p) => p.p99)),
  };
}

/**
 * GET /api/v1/me with a session cookie and with an API key (request logging off, i.e. at
 * `warn`), the API-key request on a second server logging every request at `info`, and a
 * bare Fastify route as the baseline. The three Patron loads run in alternating rounds.
 */
export async function runFoundationBench(o: {
  databaseUrl?: string | undefined;
  seconds: number;
  concurrency: number;
}): Promise<{ me: LoadResult; meKey: LoadResult; meKeyLogged: LoadResult; bare: LoadResult }> {
  const say = (s: string) => process.stdout.write(s + '\n');
  const engine = o.databaseUrl ? 'PostgreSQL' : 'embedded PGlite';
  say(`\n## Foundation: authenticated GET /api/v1/me vs a bare Fastify route (${engine}, ${o.concurrency} clients, ${o.seconds}s each in ${ROUNDS} alternating rounds)`);
  const dir = mkdtempSync(join(tmpdir(), 'patron-bench-me-'));
  const secret = 'bench-secret-bench-secret-bench-secret';
  try {
    const url = o.databaseUrl ? await recreateDatabase(o.databaseUrl, 'patron_bench_me') : undefined;
    const tenant = await prepareTenant({ databaseUrl: url, dataDir: url ? undefined : join(dir, 'pglite'), customers: 10 });
    const env: Record<string, string> = url ? { DATABASE_URL: url, SESSION_SECRET: secret } : { PATRON_DATA_DIR: dir, SESSION_SECRET: secret, DATABASE_URL: '' };
    const server = await startPatron(env);
    // The embedded database belongs to one process: the logging comparison then runs on the same server, restarted.
    const logged = url ? await startPatron({ ...env, LOG_LEVEL: 'info' }) : null;
    const parts: Record<'me' | 'meKey' | 'meKeyLogged', LoadResult[]> = { me: [], meKey: [], meKeyLogged: [] };
    // Server CPU per request: what a request costs whatever else the machine is doing.
    const cpu: Record<'me' | 'meKey' | 'meKeyLogged', number> = { me: 0, meKey: 0, meKeyLogged: 0 };
    try {
      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: tenant.userEmail, password: tenant.userPassword }),
      });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const seconds = Math.max(2, o.seconds / ROUNDS);
      const loads = {
        me: () => ({ url: server.url, pid: server.proc.pid, headers: { cookie } }),
        meKey: () => ({ url: server.url, pid: server.proc.pid, headers: { authorization: `Bearer ${tenant.apiKey}` } }),
        meKeyLogged: () => ({ url: logged?.url ?? server.url, pid: (logged ?? server).proc.pid, headers: { authorization: `Bearer ${tenant.apiKey}` } }),
      };
      const names = (url ? ['me', 'meKey', 'meKeyLogged'] : ['me', 'meKey']) as (keyof typeof loads)[];
      for (let round = 0; round < ROUNDS; round++) {
        for (let k = 0; k < names.length; k++) {
          const name = names[(round + k) % names.length]!;
          const target = loads[name]();
          const request = () => ({ method: 'GET', path: '/api/v1/me', headers: target.headers });
          await runLoad({ url: target.url, concurrency: o.concurrency, seconds: round === 0 ? 2 : 0.5, warmupSeconds: 0, request });
          const before = cpuSeconds(target.pid);
          parts[name].push(await runLoad({ url: target.url, concurrency: o.concurrency, seconds, warmupSeconds: 0, request }));
          const after = cpuSeconds(target.pid);
          if (before !== null && after !== null) cpu[name] += after - before;
        }
      }
    } finally {
      await server.stop();
      await logged?.stop();
    }
    if (!url) {
      // Embedded: the logging server runs alone, after the other, for the same time.
      const alone = await startPatron({ ...env, LOG_LEVEL: 'info' });
      try {
        parts.meKeyLogged.push(
          await runLoad({ url: alone.url, concurrency: o.concurrency, seconds: o.seconds, request: () => ({ method: 'GET', path: '/api/v1/me', headers: { authorization: `Bearer ${tenant.apiKey}` } }) }),
        );
      } finally {
        await alone.stop();
      }
    }
    const me = combine(parts.me);
    const meKey = combine(parts.meKey);
    const meKeyLogged = combine(parts.meKeyLogged);
    say(`GET /api/v1/me with a session cookie: ${fmt(me)}`);
    say(`GET /api/v1/me with an API key: ${fmt(meKey)}`);
    say(`session /me is ${(me.rps / meKey.rps).toFixed(2)}x API-key /me (target >= 0.8x; rounds: ${parts.me.map((p, i) => (p.rps / parts.meKey[i]!.rps).toFixed(2)).join(', ')})`);
    say(`GET /api/v1/me with an API key, request logging at info: ${fmt(meKeyLogged)}  -> ${(((meKeyLogged.rps - meKey.rps) / meKey.rps) * 100).toFixed(1)}% vs logging off`);
    const perRequest = (name: keyof typeof cpu, r: LoadResult) => (r.requests > 0 ? (cpu[name] * 1000) / r.requests : 0);
    if (cpu.me > 0 && cpu.meKey > 0) {
      const [s, k, l] = [perRequest('me', me), perRequest('meKey', meKey), perRequest('meKeyLogged', meKeyLogged)];
      say(
        `server CPU per request: session /me ${s.toFixed(3)} ms, API-key /me ${k.toFixed(3)} ms (session costs ${(s / k).toFixed(2)}x)` +
          (l > 0 && url ? `, API-key /me logged at info ${l.toFixed(3)} ms (${(((l - k) / k) * 100).toFixed(1)}%)` : ''),
      );
    }
    const bareServer = await startBare();
    let bare: LoadResult;
    try {
      bare = await runLoad({ url: bareServer.url, concurrency: o.concurrency, seconds: o.seconds, request: () => ({ method: 'GET', path: '/bare' }) });
      say(`baseline bare Fastify GET: ${fmt(bare)}  -> session /me is ${(me.rps / bare.rps).toFixed(2)}x bare, API-key /me ${(meKey.rps / bare.rps).toFixed(2)}x bare`);
    } finally {
      await bareServer.stop();
    }
    return { me, meKey, meKeyLogged, bare };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
