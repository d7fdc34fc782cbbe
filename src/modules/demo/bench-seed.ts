import type { AppContext } from '../../context.js';
import { withTx } from '../../db/tx.js';
import { createOrganization, findOrgBySlug } from '../orgs/index.js';
import {
  BULK_TABLES,
  countBenchCustomers,
  createIndexFromDefinition,
  databaseIsEmpty,
  dropIndex,
  ensureTiers,
  raiseMaintenanceMemory,
  secondaryIndexes,
  seedBatch,
  vacuumAnalyze,
  type BenchSeedOptions,
  type BenchSeedResult,
} from './bench-seed.repo.js';

export type { BenchSeedOptions, BenchSeedResult } from './bench-seed.repo.js';

/*
 * Bench data: N realistic customers with consistent ledgers, built set-based on the
 * database server (the statements are in bench-seed.repo.ts).
 */

/** Builds bench customers into organization `orgSlug` (created when missing; default "bench"). */
export async function seedBench(ctx: AppContext, opts: BenchSeedOptions): Promise<BenchSeedResult> {
  const started = process.hrtime.bigint();
  const slug = opts.orgSlug ?? 'bench';
  const org =
    (await findOrgBySlug(ctx.db, slug)) ?? (await createOrganization(ctx, { slug, name: `Bench ${slug}`, currency: 'USD', timezone: 'UTC' }));
  const now = ctx.clock.now();
  await ensureTiers(ctx.db, org.id, now);
  const offset = await countBenchCustomers(ctx.db, org.id);
  const batchSize = opts.batchSize ?? 50_000;
  let orders = 0;
  const empty = await databaseIsEmpty(ctx.db);
  if (empty && opts.customers >= 100_000) {
    // A fresh database: one transaction, indexes rebuilt once at the end.
    await withTx(ctx.db, async (tx) => {
      const indexes = await secondaryIndexes(tx);
      for (const ix of indexes) await dropIndex(tx, ix.name);
      for (let done = 0; done < opts.customers; done += batchSize) {
        const n = Math.min(batchSize, opts.customers - done);
        orders += await seedBatch(tx, org.id, org.currency.trim(), done + 1, done + n, now);
        opts.onProgress?.(done + n, opts.customers);
      }
      await raiseMaintenanceMemory(tx);
      for (const ix of indexes) await createIndexFromDefinition(tx, ix.def);
    });
  } else {
    for (let done = 0; done < opts.customers; done += batchSize) {
      const n = Math.min(batchSize, opts.customers - done);
      orders += await withTx(ctx.db, (tx) => seedBatch(tx, org.id, org.currency.trim(), offset + done + 1, offset + done + n, now));
      opts.onProgress?.(done + n, opts.customers);
    }
  }
  // Fresh statistics and visibility map, so the planner picks index-only scans for counts.
  for (const table of BULK_TABLES) await vacuumAnalyze(ctx.db, table);
  return { orgId: org.id, orgSlug: slug, customers: opts.customers, orders, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
