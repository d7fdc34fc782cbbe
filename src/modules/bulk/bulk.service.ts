import type { Actor, AppContext } from '../../context.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { enqueue } from '../../jobs/queue.js';
import type { JobHelpers, JobRecord } from '../../jobs/worker.js';
import { countMatches, customerIdBatches, resolveCustomerFilter } from '../grid/index.js';
import type { CustomerFilter } from '../grid/index.js';
import { getJobView } from '../jobs-api/index.js';
import { getProgram } from '../program/index.js';
import { findSegment } from '../segments/index.js';
import { adjustOnce } from '../points/index.js';
import * as repo from './bulk.repo.js';
import type { BulkPointsBody } from './bulk.schemas.js';
import { keysetPage } from '../../db/paging.js';

export const BULK_POINTS_JOB = 'customers.points_bulk';

interface BulkPointsPayload {
  target: { ids: string[] } | { filter: CustomerFilter };
  direction: 'add' | 'deduct';
  points: number;
  reason: string;
  customerMessage: string | null;
  visibleToCustomer: boolean;
  countsTowardTier: boolean;
  actor: Actor;
  /** The activity rule of a filter is anchored here, so a retried job selects the same way. */
  asOf: string;
}

/**
 * Queues a points adjustment for a selection, a filter or a segment. A segment's filter is
 * copied into the job, so editing the segment later does not change a running job.
 */
export async function startBulkPoints(ctx: AppContext, orgId: string, body: BulkPointsBody, actor: Actor) {
  const now = ctx.clock.now();
  let target: BulkPointsPayload['target'];
  if (body.ids) {
    target = { ids: [...new Set(body.ids)] };
  } else if (body.segmentId) {
    const seg = await findSegment(ctx.db, orgId, body.segmentId);
    if (!seg) throw AppError.notFound('Segment', body.segmentId);
    target = { filter: seg.filter };
  } else {
    await resolveCustomerFilter(ctx.db, orgId, body.filter!, now);
    target = { filter: body.filter! };
  }
  const payload: BulkPointsPayload = {
    target,
    direction: body.direction,
    points: body.points,
    reason: body.reason,
    customerMessage: body.customerMessage ?? null,
    visibleToCustomer: body.visibleToCustomer ?? true,
    countsTowardTier: body.countsTowardTier ?? false,
    actor,
    asOf: now.toISOString(),
  };
  const jobId = (await enqueue(ctx.db, { orgId, type: BULK_POINTS_JOB, payload: { ...payload }, runAt: now, maxAttempts: 5 }))!;
  return { jobId, job: await getJobView(ctx.db, orgId, jobId) };
}

function refusal(err: unknown): { code: string; message: string } | null {
  if (err instanceof AppError && err.status < 500) return { code: err.code, message: err.message };
  return null;
}

/** The job: one transaction per customer, each adjustment keyed `bulk:<jobId>:<customerId>`. */
export async function runBulkPoints(ctx: AppContext, job: JobRecord, helpers: JobHelpers): Promise<Record<string, unknown>> {
  const p = job.payload as unknown as BulkPointsPayload;
  const orgId = job.orgId;
  const program = await getProgram(ctx.db, orgId);
  let batches: AsyncIterable<string[]>;
  let total: number;
  if ('ids' in p.target) {
    const ids = p.target.ids;
    total = ids.length;
    batches = (async function* () {
      for (let i = 0; i < ids.length; i += 200) yield ids.slice(i, i + 200);
    })();
  } else {
    const resolved = await resolveCustomerFilter(ctx.db, orgId, p.target.filter, new Date(p.asOf));
    total = (await countMatches(ctx.db, resolved)).value;
    batches = customerIdBatches(ctx.db, resolved, 200);
  }
  let done = 0;
  for await (const ids of batches) {
    const already = await repo.outcomesFor(ctx.db, orgId, job.id, ids);
    const known = await repo.existingCustomerIds(ctx.db, orgId, ids);
    for (const customerId of ids) {
      done++;
      if (already.has(customerId)) continue;
      const at = ctx.clock.now();
      const base = { org_id: orgId, job_id: job.id, customer_id: customerId, created_at: at };
      if (!known.has(customerId)) continue; // not a customer of this organization: reported below, no row to reference
      try {
        await withTx(ctx.db, async (tx) => {
          const { entry } = await adjustOnce(tx, ctx, program, {
            orgId,
            customerId,
            direction: p.direction,
            points: p.points,
            reason: p.reason,
            customerMessage: p.customerMessage,
            visibleToCustomer: p.visibleToCustomer,
            countsTowardTier: p.countsTowardTier,
            uniqueKey: `bulk:${job.id}:${customerId}`,
            via: 'bulk action',
            sourceType: 'bulk_job',
            sourceId: job.id,
            actor: p.actor,
            at,
          });
          await repo.insertOutcome(tx, { ...base, status: 'ok', code: null, message: null, balance_after: entry.balance_after, entry_id: entry.id });
        });
      } catch (err) {
        const r = refusal(err);
        if (!r) throw err;
        await repo.insertOutcome(ctx.db, { ...base, status: 'refused', code: r.code, message: r.message, balance_after: null, entry_id: null });
      }
    }
    await helpers.progress({ done, total });
  }
  return summarize(ctx, orgId, job.id, 'ids' in p.target ? p.target.ids : null);
}

async function summarize(ctx: AppContext, orgId: string, jobId: string, ids: string[] | null): Promise<Record<string, unknown>> {
  const counts = await repo.outcomeCounts(ctx.db, orgId, jobId);
  const refusedByCode: Record<string, number> = {};
  let ok = 0;
  let refused = 0;
  for (const c of counts) {
    if (c.status === 'ok') ok += Number(c.n);
    else {
      refused += Number(c.n);
      refusedByCode[c.code ?? 'UNKNOWN'] = (refusedByCode[c.code ?? 'UNKNOWN'] ?? 0) + Number(c.n);
    }
  }
  const notFound: string[] = [];
  if (ids) {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const known = await repo.existingCustomerIds(ctx.db, orgId, chunk);
      notFound.push(...chunk.filter((id) => !known.has(id)));
    }
  }
  if (notFound.length > 0) refusedByCode.NOT_FOUND = notFound.length;
  return { total: ok + refused + notFound.length, ok, refused: refused + notFound.length, refusedByCode, notFound: notFound.slice(0, 100) };
}

export async function listBulkOutcomes(ctx: AppContext, orgId: string, jobId: string, opts: { status?: 'ok' | 'refused' | undefined; after: string | null; limit: number }) {
  const job = await getJobView(ctx.db, orgId, jobId);
  if (job.type !== BULK_POINTS_JOB) throw AppError.notFound('Bulk points job', jobId);
  const { page, next } = await keysetPage(opts.limit, (limit) => repo.listOutcomes(ctx.db, orgId, jobId, { ...opts, limit }), (last) => last.customer_id);
  return {
    items: page.map((r) => ({ customerId: r.customer_id, status: r.status, code: r.code, message: r.message, balanceAfter: r.balance_after, entryId: r.entry_id })),
    next,
  };
}
