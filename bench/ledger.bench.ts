import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, runLoad, type LoadResult } from './load.js';
import { dropDatabase, pgbench, pgbenchInit, recreateDatabase, startPatron } from './procs.js';
import { prepareTenant, type BenchTenant } from './setup.js';

export interface LedgerBenchOptions {
  databaseUrl: string;
  customers: number;
  seconds: number;
  concurrency: number;
  scale: number;
  /** Also run the PostgreSQL figures against `patron serve --processes N` (N > 1). */
  processes?: number;
}

export interface LedgerBenchResult {
  tpcb: number;
  oneRow: number;
  adjustPg: LoadResult;
  adjustOnePg: LoadResult;
  ordersPg: LoadResult;
  adjustPglite: LoadResult;
  /** The same PostgreSQL runs with several server processes, when asked for. */
  multi?: { processes: number; adjustPg: LoadResult; adjustOnePg: LoadResult; ordersPg: LoadResult };
}

const SESSION_SECRET = 'bench-secret-bench-secret-bench-secret';

function adjustLoad(url: string, t: BenchTenant, seconds: number, concurrency: number, oneCustomer: boolean) {
  const ids = t.customerIds;
  return runLoad({
    url,
    concurrency,
    seconds,
    request: (i) => {
      const id = oneCustomer ? ids[0]! : ids[(i * 7919) % ids.length]!;
      return {
        method: 'POST',
        path: `/api/v1/customers/${id}/points/adjustments`,
        headers: { authorization: `Bearer ${t.apiKey}` },
        body: JSON.stringify({ direction: 'add', points: 1 + (i % 10), reason: 'benchmark' }),
      };
    },
  });
}

function ordersLoad(url: string, t: BenchTenant, seconds: number, concurrency: number) {
  const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  return runLoad({
    url,
    concurrency,
    seconds,
    request: (i) => ({
      method: 'POST',
      path: '/api/v1/orders',
      headers: { authorization: `Bearer ${t.apiKey}` },
      body: JSON.stringify({
        externalId: `${run}-${i}`,
        customerId: t.customerIds[(i * 104729) % t.customerIds.length],
        total: { amount: `${10 + (i % 200)}.${String(i % 100).padStart(2, '0')}`, currency: 'USD' },
      }),
    }),
  });
}

/** The server's count of ledger changes that shared a statement with others of their customer (its /metrics). */
async function groupedChanges(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^patron_ledger_changes\{stat="grouped"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

export async function runLedgerBench(o: LedgerBenchOptions): Promise<LedgerBenchResult> {
  const say = (s: string) => process.stdout.write(s + '\n');
  say(`\n## Ledger (PostgreSQL ${new URL(o.databaseUrl).host}, ${o.customers.toLocaleString('en-US')} customers, ${o.concurrency} clients, ${o.seconds}s per run)`);

  const pgbUrl = await recreateDatabase(o.databaseUrl, 'patron_bench_pgbench');
  await pgbenchInit(pgbUrl, o.scale);
  const tpcb = await pgbench(pgbUrl, ['-n', '-c', String(o.concurrency), '-j', '2', '-T', String(o.seconds)]);
  say(`baseline pgbench TPC-B (scale ${o.scale}, ${o.concurrency} clients): ${tpcb.toFixed(0)} tps`);
  const script = join(mkdtempSync(join(tmpdir(), 'pgb-')), 'one-row.sql');
  writeFileSync(script, '\\set d random(1, 10)\nUPDATE pgbench_branches SET bbalance = bbalance + :d WHERE bid = 1;\n');
  const oneRow = await pgbench(pgbUrl, ['-n', '-f', script, '-c', String(o.concurrency), '-j', '2', '-T', String(o.seconds)]);
  say(`baseline pgbench one-row update (${o.concurrency} clients on one row): ${oneRow.toFixed(0)} tps`);
  await dropDatabase(o.databaseUrl, 'patron_bench_pgbench');

  const url = await recreateDatabase(o.databaseUrl, 'patron_bench');
  const tenant = await prepareTenant({ databaseUrl: url, customers: o.customers });
  const server = await startPatron({ DATABASE_URL: url, SESSION_SECRET, DATABASE_POOL_SIZE: String(o.concurrency + 4) });
  let adjustPg: LoadResult;
  let adjustOnePg: LoadResult;
  let ordersPg: LoadResult;
  try {
    adjustPg = await adjustLoad(server.url, tenant, o.seconds, o.concurrency, false);
    say(`adjustments over HTTP, random customers: ${fmt(adjustPg)}  -> ${(adjustPg.rps / tpcb).toFixed(2)}x pgbench TPC-B (target >= 0.5x)`);
    const groupedBefore = await groupedChanges(server.url);
    adjustOnePg = await adjustLoad(server.url, tenant, o.seconds, o.concurrency, true);
    const grouped = (await groupedChanges(server.url)) - groupedBefore;
    say(
      `adjustments over HTTP, all on one customer: ${fmt(adjustOnePg)}  -> ${(adjustOnePg.rps / oneRow).toFixed(2)}x one-row script (target >= 0.5x); ` +
        `${grouped} changes (warm-up included) went in statements shared with others of the customer`,
    );
    ordersPg = await ordersLoad(server.url, tenant, o.seconds, o.concurrency);
    say(`orders ingested over HTTP: ${fmt(ordersPg)}  -> ${(ordersPg.rps / tpcb).toFixed(2)}x pgbench TPC-B`);
  } finally {
    await server.stop();
  }

  let multi: LedgerBenchResult['multi'];
  if (o.processes && o.processes > 1) {
    const n = o.processes;
    const many = await startPatron({ DATABASE_URL: url, SESSION_SECRET, DATABASE_POOL_SIZE: String(o.concurrency + 4) }, { processes: n });
    try {
      const vs = (r: LoadResult, single: LoadResult) => `${(r.rps / single.rps).toFixed(2)}x one process`;
      const adjust = await adjustLoad(many.url, tenant, o.seconds, o.concurrency, false);
      say(`adjustments, random customers, ${n} server processes: ${fmt(adjust)}  -> ${vs(adjust, adjustPg)}, ${(adjust.rps / tpcb).toFixed(2)}x pgbench TPC-B`);
      const one = await adjustLoad(many.url, tenant, o.seconds, o.concurrency, true);
      say(`adjustments, one customer, ${n} server processes: ${fmt(one)}  -> ${vs(one, adjustOnePg)}, ${(one.rps / oneRow).toFixed(2)}x one-row script`);
      const orders = await ordersLoad(many.url, tenant, o.seconds, o.concurrency);
      say(`orders, ${n} server processes: ${fmt(orders)}  -> ${vs(orders, ordersPg)}, ${(orders.rps / tpcb).toFixed(2)}x pgbench TPC-B`);
      multi = { processes: n, adjustPg: adjust, adjustOnePg: one, ordersPg: orders };
    } finally {
      await many.stop();
    }
  }

  const dir = mkdtempSync(join(tmpdir(), 'patron-bench-pglite-'));
  let adjustPglite: LoadResult;
  try {
    const t2 = await prepareTenant({ dataDir: join(dir, 'pglite'), customers: o.customers });
    const s2 = await startPatron({ PATRON_DATA_DIR: dir, SESSION_SECRET, DATABASE_URL: '' });
    try {
      adjustPglite = await adjustLoad(s2.url, t2, o.seconds, o.concurrency, false);
      say(`adjustments over HTTP on embedded PGlite: ${fmt(adjustPglite)}  -> ${(adjustPglite.rps / adjustPg.rps).toFixed(2)}x PostgreSQL (target >= 0.35x)`);
    } finally {
      await s2.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { tpcb, oneRow, adjustPg, adjustOnePg, ordersPg, adjustPglite, ...(multi ? { multi } : {}) };
}
