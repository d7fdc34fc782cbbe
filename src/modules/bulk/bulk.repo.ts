import type { Selectable } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { BulkOutcomesTable } from './bulk.tables.js';

export type OutcomeRow = Selectable<BulkOutcomesTable>;

/** Records a customer's outcome once; a retried job keeps the first one. */
export async function insertOutcome(db: Executor, row: OutcomeRow): Promise<void> {
  await db
    .insertInto('bulk_outcomes')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'job_id', 'customer_id']).doNothing())
    .execute();
}

export async function outcomesFor(db: Executor, orgId: string, jobId: string, customerIds: string[]): Promise<Set<string>> {
  if (customerIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('bulk_outcomes')
    .select('customer_id')
    .where('org_id', '=', orgId)
    .where('job_id', '=', jobId)
    .where('customer_id', 'in', customerIds)
    .execute();
  return new Set(rows.map((r) => r.customer_id));
}

export async function outcomeCounts(db: Executor, orgId: string, jobId: string) {
  return db
    .selectFrom('bulk_outcomes')
    .select(['status', 'code', (eb) => eb.fn.countAll<number>().as('n')])
    .where('org_id', '=', orgId)
    .where('job_id', '=', jobId)
    .groupBy(['status', 'code'])
    .execute();
}

export function listOutcomes(db: Executor, orgId: string, jobId: string, opts: { status?: 'ok' | 'refused' | undefined; after: string | null; limit: number }) {
  let q = db.selectFrom('bulk_outcomes').selectAll().where('org_id', '=', orgId).where('job_id', '=', jobId);
  if (opts.status) q = q.where('status', '=', opts.status);
  if (opts.after) q = q.where('customer_id', '>', opts.after);
  return q.orderBy('customer_id').limit(opts.limit).execute();
}

/** Which of these ids are customers of the organization. */
export async function existingCustomerIds(db: Executor, orgId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('customers').select('id').where('org_id', '=', orgId).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}
