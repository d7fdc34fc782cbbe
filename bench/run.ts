import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { runFoundationBench } from './foundation.bench.js';
import { runIntegrationsBench } from './integrations.bench.js';
import { runLedgerBench } from './ledger.bench.js';

/**
 * `npm run bench [-- --only foundation,ledger,integrations,grid] [--customers N] [--seconds S] [--processes N] [--samples N]`
 * Every figure is printed next to a baseline measured in the same run. PostgreSQL parts
 * need DATABASE_URL (a server where the user may create databases).
 */
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    customers: { type: 'string' },
    'grid-customers': { type: 'string' },
    'admin-database': { type: 'string' },
    'admin-org': { type: 'string' },
    seconds: { type: 'string' },
    concurrency: { type: 'string' },
    processes: { type: 'string' },
    samples: { type: 'string' },
  },
});
const only = new Set((values.only ?? 'foundation,ledger,integrations,grid').split(','));
const databaseUrl = process.env.DATABASE_URL;
const seconds = Number(values.seconds ?? 15);
const concurrency = Number(values.concurrency ?? 16);
// `--processes N`: the PostgreSQL ledger figures are also measured with `patron serve --processes N`.
const processes = values.processes !== undefined ? Number(values.processes) : undefined;
if (processes !== undefined && (!Number.isInteger(processes) || processes < 2)) {
  process.stderr.write('--processes must be a whole number of at least 2 (the single-process figures are always measured)\n');
  process.exit(2);
}

process.stdout.write(`# Patron benchmarks\nmachine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);
const results: Record<string, unknown> = { at: new Date().toISOString(), cpus: os.cpus().length, node: process.version };

if (only.has('foundation')) results.foundation = await runFoundationBench({ databaseUrl, seconds: Math.min(seconds, 10), concurrency });
if (only.has('ledger')) {
  if (!databaseUrl) process.stdout.write('\n(ledger benchmark skipped: set DATABASE_URL to a PostgreSQL server)\n');
  else results.ledger = await runLedgerBench({ databaseUrl, customers: Number(values.customers ?? 100_000), seconds, concurrency, scale: 16, processes });
}
if (only.has('integrations')) results.integrations = await runIntegrationsBench({ databaseUrl, samples: Number(values.samples ?? 100) });
if (only.has('grid')) {
  const gridModule = './grid.bench.js';
  if (!databaseUrl) process.stdout.write('\n(grid benchmark skipped: set DATABASE_URL to a PostgreSQL server)\n');
  else if (!existsSync(new URL('./grid.bench.ts', import.meta.url))) process.stdout.write('\n(grid benchmark not present)\n');
  else {
    const { runGridBench } = (await import(gridModule)) as { runGridBench: (o: { databaseUrl: string; customers: number }) => Promise<unknown> };
    results.grid = await runGridBench({ databaseUrl, customers: Number(values['grid-customers'] ?? 1_000_000) });
  }
}
if (only.has('admin')) {
  // Opt-in: needs Chromium, the admin build and a large database (e.g. the grid benchmark's).
  const url = values['admin-database'] ?? (databaseUrl ? Object.assign(new URL(databaseUrl), { pathname: '/patron_grid_bench_1000000' }).toString() : undefined);
  if (!url) process.stdout.write('\n(admin benchmark skipped: set DATABASE_URL or --admin-database)\n');
  else {
    const { runAdminBench } = await import('./admin.bench.js');
    results.admin = await runAdminBench({ databaseUrl: url, org: values['admin-org'] ?? 'bench' });
  }
}
mkdirSync('.bench', { recursive: true });
writeFileSync('.bench/results.json', JSON.stringify(results, null, 2));
process.stdout.write('\nRaw results: .bench/results.json\n');
