import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { systemClock, type AppContext } from '../src/context.js';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { buildApp } from '../src/http/app.js';
import { Metrics } from '../src/http/metrics.js';
import { JOB_HANDLERS } from '../src/jobs/registry.js';
import { Worker } from '../src/jobs/worker.js';
import { createLogger } from '../src/logger.js';
import { computeSnapshot } from '../src/modules/analytics/analytics.service.js';
import { createApiKey } from '../src/modules/api-keys/api-keys.service.js';
import { PERMISSIONS } from '../src/modules/auth/permissions.js';
import { seedBench } from '../src/modules/demo/bench-seed.js';
import { listQuery } from '../src/modules/grid/grid.repo.js';
import { parseSort, resolveCustomerFilter } from '../src/modules/grid/grid.service.js';
import type { CustomerFilter } from '../src/modules/grid/grid.schemas.js';
import { buildEventRegistry } from '../src/events/registry.js';
import { MODULES } from '../src/modules/index.js';

/**
 * Customer grid benchmark on PostgreSQL: seeds (once, then reuses) a database with N bench
 * customers, then measures server-side (in-process requests, no network) the grid, search,
 * filters and analytics cards, the CSV export over a real socket beside `psql \copy` of the
 * same rows, and CSV import rows/s. Prints figures and writes EXPLAIN plans to .bench/.
 */
export interface GridBenchOptions {
  databaseUrl: string;
  customers: number;
  runs?: number;
}

interface Stat {
  p50: number;
  p95: number;
  runs: number;
}

const say = (line: string) => process.stdout.write(line + '\n');
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const r1 = (n: number) => Math.round(n * 10) / 10;

function stat(samples: number[]): Stat {
  const s = [...samples].sort((x, y) => x - y);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? 0;
  return { p50: r1(at(0.5)), p95: r1(at(0.95)), runs: s.length };
}

async function ensureDatabase(baseUrl: string, customers: number): Promise<{ url: string; created: boolean }> {
  const name = `patron_grid_bench_${customers}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
  if (!exists) await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), created: !exists };
}

function psqlCopy(url: string, query: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn('psql', [url, '-X', '-q', '-c', `\\copy (${query}) to '/dev/null' with (format csv, header)`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(ms(t0)) : reject(new Error(`psql \\copy failed: ${err}`))));
  });
}

/** Streams the export over HTTP, counting lines; samples this process's RSS meanwhile. */
async function streamExport(app: FastifyInstance, apiKey: string): Promise<{ rows: number; ms: number; rssGrowthMb: number; liveHeapGrowthMb: number | null }> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  // With --expose-gc: the live heap after a full collection, every second (flat = nothing retained).
  const heap0 = process.memoryUsage().heapUsed;
  let liveMax = 0;
  const gcTimer = global.gc
    ? setInterval(() => {
        global.gc?.();
        liveMax = Math.max(liveMax, process.memoryUsage().heapUsed - heap0);
      }, 1000)
    : null;
  const t0 = process.hrtime.bigint();
  // The client is curl in another process, so this process only serves.
  const lines = await new Promise<number>((resolve, reject) => {
    const c = spawn('sh', ['-c', `curl -sf -H 'authorization: Bearer ${apiKey}' http://127.0.0.1:${port}/api/v1/customers/export.csv | wc -l`]);
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`curl exited with ${code}`))));
  });
  const elapsed = ms(t0);
  clearInterval(timer);
  if (gcTimer) clearInterval(gcTimer);
  return { rows: lines - 1, ms: elapsed, rssGrowthMb: r1((peak - base) / 2 ** 20), liveHeapGrowthMb: gcTimer ? r1(liveMax / 2 ** 20) : null };
}

function multipart(fields: Record<string, string>, csv: string): { body: Buffer; type: string } {
  const b = 'grid-bench-boundary';
  let head = '';
  for (const [k, v] of Object.entries(fields)) head += `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  head += `--${b}\r\nContent-Disposition: form-data; name="file"; filename="bench.csv"\r\nContent-Type: text/csv\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), Buffer.from(csv), Buffer.from(`\r\n--${b}--\r\n`)]), type: `multipart/form-data; boundary=${b}` };
}

export async function runGridBench(opts: GridBenchOptions) {
  const runs = opts.runs ?? 40;
  say(`\n## Customer grid (PostgreSQL, ${opts.customers.toLocaleString('en-US')} customers)`);
  const { url, created } = await ensureDatabase(opts.databaseUrl, opts.customers);
  const database = await openDatabase({ databaseUrl: url, poolSize: 8 });
  const config = { ...loadConfig({ SESSION_SECRET: 'grid-bench-secret-grid-bench-secret-!!', PATRON_DATA_DIR: '/tmp/patron-bench-unused', LOG_LEVEL: 'silent' }), databaseUrl: url };
  const ctx: AppContext = { database, db: database.db, clock: systemClock, logger: createLogger('silent'), config , events: buildEventRegistry(MODULES) };
  await migrate(database);
  const results: Record<string, unknown> = {};
  try {
    const have = await sql<{ n: number }>`select count(*)::int8 as n from customers c join organizations o on o.id = c.org_id where o.slug = 'bench'`.execute(ctx.db);
    if (created || (have.rows[0]?.n ?? 0) < opts.customers) {
      const seeded = await seedBench(ctx, { customers: opts.customers - (have.rows[0]?.n ?? 0), orgSlug: 'bench' });
      say(`seeded ${seeded.customers.toLocaleString('en-US')} customers, ${seeded.orders.toLocaleString('en-US')} orders in ${seeded.seconds.toFixed(0)} s`);
      results.seedSeconds = Math.round(seeded.seconds);
    } else say('(reusing the seeded database)');
    const org = await ctx.db.selectFrom('organizations').select('id').where('slug', '=', 'bench').executeTakeFirstOrThrow();
    const { secret } = await createApiKey(ctx, org.id, { name: `grid-bench-${Date.now()}`, scopes: [...PERMISSIONS], createdBy: null });
    const auth = { authorization: `Bearer ${secret}` };
    const app = await buildApp(ctx, { metrics: new Metrics(), serveAdmin: false });
    const get = async (path: string) => {
      const res = await app.inject({ method: 'GET', url: path, headers: auth });
      if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body}`);
      return res;
    };
    const time = async (path: string, n = runs): Promise<Stat> => {
      for (let i = 0; i < 3; i++) await get(path);
      const samples: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = process.hrtime.bigint();
        await get(path);
        samples.push(ms(t0));
      }
      return stat(samples);
    };
    const line = (label: string, s: Stat, extra = '') => say(`${label.padEnd(44)} p50 ${String(s.p50).padStart(7)} ms  p95 ${String(s.p95).padStart(7)} ms${extra}`);

    const first = await time('/api/v1/customers?limit=50');
    line('first page (sort -created, with total)', first);
    let cursor = '';
    for (let i = 0; i < 1000; i++) cursor = (await get(`/api/v1/customers?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json<{ nextCursor: string }>().nextCursor;
    const hop = await time(`/api/v1/customers?limit=50&cursor=${encodeURIComponent(cursor)}`);
    line('page after 1,000 cursor hops', hop, `  (p95 ratio to first page ${(hop.p95 / first.p95).toFixed(2)}, target <= 1.5)`);
    const sortStats: Record<string, Stat> = {};
    for (const s of ['name', '-points', 'tierProgress', '-lastActivity']) {
      sortStats[s] = await time(`/api/v1/customers?limit=50&sort=${s}`, Math.ceil(runs / 2));
      line(`first page, sort=${s}`, sortStats[s]);
    }
    const samples = await sql<{ email: string }>`select email from customers where org_id = ${org.id} and email is not null order by id limit 20 offset 5000`.execute(ctx.db);
    const terms = samples.rows.map((r) => r.email.split('@')[0]!.replace(/\d+$/, ''));
    const searchSamples: number[] = [];
    for (const t of terms) for (let i = 0; i < 3; i++) {
      const t0 = process.hrtime.bigint();
      await get(`/api/v1/customers?limit=50&search=${encodeURIComponent(t)}`);
      searchSamples.push(ms(t0));
    }
    const selective = stat(searchSamples);
    line(`search 3+ chars, selective (e.g. "${terms[0]}")`, selective, '  (target p95 <= 50 ms)');
    const shortStats: Record<string, Stat> = {};
    for (const t of ['o', 'ma', '55']) {
      shortStats[t] = await time(`/api/v1/customers?limit=50&search=${t}`, Math.ceil(runs / 2));
      line(`search 1-2 chars "${t}" (prefix)`, shortStats[t]);
    }
    const gold = await ctx.db.selectFrom('tiers').select('id').where('org_id', '=', org.id).where('name', '=', 'Gold').executeTakeFirst();
    const seg = await app.inject({ method: 'POST', url: '/api/v1/segments', headers: auth, payload: { name: `bench-${Date.now()}`, filter: { membership: ['member'], activity: 'inactive' } } });
    const filters: Record<string, string> = {
      'membership=left': 'membership=left',
      'membership=guest': 'membership=guest',
      [`tier=Gold`]: `tier=${gold?.id ?? 'none'}`,
      'tier=none': 'tier=none',
      'activity=active': 'activity=active',
      'activity=inactive': 'activity=inactive',
      'accountState=guest': 'accountState=guest',
      'excluded=true': 'excluded=true',
      'segment (members, inactive)': `segment=${seg.json<{ id: string }>().id}`,
    };
    const filterStats: Record<string, Stat> = {};
    for (const [label, q] of Object.entries(filters)) {
      filterStats[label] = await time(`/api/v1/customers?limit=50&${q}`, Math.ceil(runs / 2));
      line(`filter ${label}`, filterStats[label]);
    }
    const snapT0 = process.hrtime.bigint();
    await computeSnapshot(ctx, org.id);
    const snapshotMs = Math.round(ms(snapT0));
    const cards = await time('/api/v1/analytics/customers');
    line('analytics cards', cards, `  (target p95 <= 200 ms; the refresh job computes them in ${snapshotMs} ms)`);

    // Export beside psql \copy of the same rows and columns.
    const exp = await streamExport(app, secret);
    const copyMs = await psqlCopy(
      url,
      `select c.id, c.external_id, c.first_name, c.last_name, c.email, c.phone, c.membership_type, c.account_state, c.points_active, c.points_pending, c.tier_id, t.name, c.tier_progress, c.tier_updated_at, c.birthday, c.anniversary, c.orders_count, c.lifetime_value_minor / 100.0, 'USD', c.excluded_from_reports, c.last_activity_at, c.created_at, c.updated_at from customers c left join tiers t on t.org_id = c.org_id and t.id = c.tier_id where c.org_id = '${org.id}' and not c.excluded_from_reports order by c.id`,
    );
    const exportRps = Math.round(exp.rows / (exp.ms / 1000));
    const copyRps = Math.round(exp.rows / (copyMs / 1000));
    say(`export.csv: ${exp.rows.toLocaleString('en-US')} rows in ${(exp.ms / 1000).toFixed(1)} s = ${exportRps.toLocaleString('en-US')} rows/s; psql \\copy ${copyRps.toLocaleString('en-US')} rows/s -> ${(exportRps / copyRps).toFixed(2)}x (target >= 0.5x); peak RSS growth ${exp.rssGrowthMb} MB (target < 100 MB)${exp.liveHeapGrowthMb === null ? '' : `, live heap growth after GC ${exp.liveHeapGrowthMb} MB`}`);

    // Import: a points file for existing bench customers, dry run and real run.
    const importRows = 5000;
    const runTag = Date.now().toString(36);
    const csv = 'externalId,points,reason\n' + Array.from({ length: importRows }, (_, i) => `bench-${String(1 + ((i * 7919) % opts.customers)).padStart(10, '0')},5,Bench import ${runTag}`).join('\n');
    const dry = multipart({ kind: 'points', dryRun: 'true' }, csv);
    let t0 = process.hrtime.bigint();
    const dryRes = await app.inject({ method: 'POST', url: '/api/v1/imports', headers: { ...auth, 'content-type': dry.type }, payload: dry.body });
    const dryMs = ms(t0);
    if (dryRes.statusCode !== 200) throw new Error(`dry run: ${dryRes.body}`);
    const real = multipart({ kind: 'points', dryRun: 'false' }, csv);
    t0 = process.hrtime.bigint();
    const started = await app.inject({ method: 'POST', url: '/api/v1/imports', headers: { ...auth, 'content-type': real.type }, payload: real.body });
    if (started.statusCode !== 202) throw new Error(`import: ${started.body}`);
    await new Worker(ctx, { handlers: JOB_HANDLERS, batchSize: 1 }).drain();
    const importMs = ms(t0);
    const view = (await get(`/api/v1/imports/${started.json<{ id: string }>().id}`)).json<{ rowsApplied: number; status: string }>();
    say(`import (points, ${importRows} rows): dry run ${Math.round(importRows / (dryMs / 1000)).toLocaleString('en-US')} rows/s, real run ${Math.round(importRows / (importMs / 1000)).toLocaleString('en-US')} rows/s (${view.rowsApplied} applied, ${view.status})`);

    // EXPLAIN (ANALYZE, BUFFERS) of the grid queries, for docs/benchmarks.md.
    const explain = async (label: string, filter: CustomerFilter, sort = '-created', after: { v: string; id: string } | null = null) => {
      const resolved = await resolveCustomerFilter(ctx.db, org.id, filter, ctx.clock.now());
      const { key, desc } = parseSort(sort);
      const plan = await listQuery(ctx.db, resolved.where, { sort: key, desc, after, limit: 51 }).explain<{ 'QUERY PLAN': string }>('text', sql`analyze, buffers`);
      return `-- ${label}\n${plan.map((r) => r['QUERY PLAN']).join('\n')}\n`;
    };
    // The cursor is `<base64url JSON>.<MAC>` (src/http/cursor.ts); the plan needs its value.
    const hopCursor = JSON.parse(Buffer.from(cursor.split('.')[0]!, 'base64url').toString()) as { v: string; id: string };
    const plans = [
      await explain('first page, sort -created', {}),
      await explain('page after 1,000 hops', {}, '-created', hopCursor),
      await explain(`selective search "${terms[0]}"`, { search: terms[0]! }),
      await explain('short search "ma"', { search: 'ma' }),
      await explain('membership=left', { membership: ['left'] }),
      await explain('tier=Gold, sort name', { tier: [gold?.id ?? 'none'] }, 'name'),
      await explain('activity=inactive, sort -points', { activity: 'inactive' }, '-points'),
    ].join('\n');
    mkdirSync('.bench', { recursive: true });
    writeFileSync('.bench/grid-explain.txt', plans);
    say('EXPLAIN plans: .bench/grid-explain.txt');
    await app.close();
    Object.assign(results, {
      customers: opts.customers,
      firstPage: first,
      afterThousandHops: hop,
      hopRatioP95: r1(hop.p95 / first.p95),
      sorts: sortStats,
      selectiveSearch: selective,
      shortSearch: shortStats,
      filters: filterStats,
      analytics: { ...cards, snapshotMs },
      export: { rows: exp.rows, rowsPerSecond: exportRps, psqlCopyRowsPerSecond: copyRps, ratio: r1(exportRps / copyRps), rssGrowthMb: exp.rssGrowthMb, liveHeapGrowthMb: exp.liveHeapGrowthMb },
      import: { rows: importRows, dryRunRowsPerSecond: Math.round(importRows / (dryMs / 1000)), rowsPerSecond: Math.round(importRows / (importMs / 1000)) },
    });
    return results;
  } finally {
    await database.close();
  }
}
