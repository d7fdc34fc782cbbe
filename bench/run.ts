import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { runFoundationBench } from './foundation.bench.js';
import { runLedgerBench } from './ledger.bench.js';

/**
 * `npm run bench [-- --only foundation,ledger,grid] [--customers N] [--seconds S]`
 * Every figure is printed next to a baseline measured in the same run. PostgreSQL parts
 * need DATABASE_URL (a server where the user may create databases).
 */
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    customers: { type: 'string' },
    'grid-customers': { type: 'string' },
    seconds: { type: 'string' },
    concurrency: { type: 'string' },
  },
});
const only = new Set((values.only ?? 'foundation,ledger,grid').split(','));
const databaseUrl = process.env.DATABASE_URL;
const seconds = Number(values.seconds ?? 15);
const concurrency = Number(values.concurrency ?? 16);

process.stdout.write(`# Patron benchmarks\nmachine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);
const results: Record<string, unknown> = { at: new Date().toISOString(), cpus: os.cpus().length, node: process.version };

if (only.has('foundation')) results.foundation = await runFoundationBench({ databaseUrl, seconds: Math.min(seconds, 10), concurrency });
if (only.has('ledger')) {
  if (!databaseUrl) process.stdout.write('\n(ledger benchmark skipped: set DATABASE_URL to a PostgreSQL server)\n');
  else results.ledger = await runLedgerBench({ databaseUrl, customers: Number(values.customers ?? 100_000), seconds, concurrency, scale: 16 });
}
if (only.has('grid')) {
  const gridModule = './grid.bench.js';
  if (!databaseUrl) process.stdout.write('\n(grid benchmark skipped: set DATABASE_URL to a PostgreSQL server)\n');
  else if (!existsSync(new URL('./grid.bench.ts', import.meta.url))) process.stdout.write('\n(grid benchmark not present)\n');
  else {
    const { runGridBench } = (await import(gridModule)) as { runGridBench: (o: { databaseUrl: string; customers: number }) => Promise<unknown> };
    results.grid = await runGridBench({ databaseUrl, customers: Number(values['grid-customers'] ?? 1_000_000) });
  }
}
mkdirSync('.bench', { recursive: true });
writeFileSync('.bench/results.json', JSON.stringify(results, null, 2));
process.stdout.write('\nRaw results: .bench/results.json\n');
