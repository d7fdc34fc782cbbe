import { z } from 'zod';
import type { Actor, AppContext } from '../../context.js';
import { withTx, type Executor, type Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { checkTransition, type MembershipType } from '../../core/membership.js';
import { emit } from '../../events/emit.js';
import { reaction } from '../../events/types.js';
import { enqueue } from '../../jobs/queue.js';
import type { JobHelpers, JobRecord } from '../../jobs/worker.js';
import { recordActivity } from '../activity/index.js';
import { toCustomerView } from '../customers/index.js';
import type { CustomerView } from '../customers/index.js';
import { countMatches, customerIdBatches, resolveCustomerFilter, type CustomerFilter, type ResolvedCustomerFilter } from '../grid/index.js';
import { customerFilterSchema } from '../grid/index.js';
import type { CustomerRow } from '../points/index.js';
import { lockForChange } from '../points/index.js';
import { creditSignup } from '../rules/index.js';
import * as repo from './membership.repo.js';
import type { BulkMembershipBody, BulkMembershipResult, BulkOutcome } from './membership.schemas.js';

export { assertCanDeduct, assertCanRedeem } from '../points/index.js';

/** A guest whose platform account becomes registered joins automatically (customer.registered is emitted only in automatic mode). */
export const membershipReactions = [
  reaction('customer.registered', 'membership.join-when-registered', async (tx, ctx, e, scope) => {
    await applyMembershipChange(tx, ctx, e.orgId, e.payload.customerId, 'member', scope.actor, { cause: 'account registered' });
  }),
];

/** Bulk changes up to this many customers run in the request; more run as a 'membership.bulk' job. */
export const BULK_INLINE_LIMIT = 100;
const JOB_BATCH = 200;
const MAX_REPORTED = 1000;

const plural = (n: number) => `${n} point${n === 1 ? '' : 's'}`;

function balanceNote(from: MembershipType, to: MembershipType, points: number): string {
  if (to === 'left') return points !== 0 ? `; ${plural(points)} kept but frozen` : '';
  if (from === 'left' && points !== 0) return `; ${plural(points)} usable again`;
  return '';
}

/**
 * Changes the membership type of one customer inside the caller's transaction: checks the
 * transition, records the timeline event and the outbound event, and credits the signup
 * rule the first time the customer becomes a member.
 */
export async function applyMembershipChange(
  tx: Tx,
  ctx: AppContext,
  orgId: string,
  customerId: string,
  to: MembershipType,
  actor: Actor,
  extra: Record<string, unknown> = {},
): Promise<CustomerRow> {
  const customer = await lockForChange(tx, orgId, customerId);
  const from = customer.membership_type;
  const check = checkTransition(from, to);
  if (!check.ok) throw new AppError('MEMBERSHIP_TRANSITION_INVALID', check.message, { from, to, allowed: check.allowed });
  const at = ctx.clock.now();
  await repo.setMembershipType(tx, orgId, customerId, to, at);
  customer.membership_type = to;
  customer.updated_at = at;
  await recordActivity(tx, {
    orgId,
    customerId,
    type: 'membership.changed',
    actor,
    summary: `Membership changed from ${from} to ${to}${balanceNote(from, to, customer.points_active)}`,
    payload: { from, to, balance: customer.points_active, ...extra },
    at,
  });
  await emit(tx, ctx, { type: 'membership.changed', orgId, payload: { customerId, from, to } }, { actor, at, customer });
  if (to === 'member') await creditSignup(tx, ctx, customer, actor, at);
  return customer;
}

export async function changeMembership(ctx: AppContext, orgId: string, customerId: string, to: MembershipType, actor: Actor): Promise<CustomerView> {
  const row = await withTx(ctx.db, (tx) => applyMembershipChange(tx, ctx, orgId, customerId, to, actor));
  return toCustomerView(ctx, row);
}

/**
 * The one place bulk membership turns a grid filter into customers. It delegates to the
 * grid's resolver so the bulk change selects exactly what the grid shows.
 */
export function resolveBulkFilter(db: Executor, orgId: string, filter: CustomerFilter, asOf: Date): Promise<ResolvedCustomerFilter> {
  return resolveCustomerFilter(db, orgId, filter, asOf);
}

async function applyOne(ctx: AppContext, orgId: string, customerId: string, to: MembershipType, actor: Actor, extra: Record<string, unknown>): Promise<BulkOutcome> {
  try {
    await withTx(ctx.db, (tx) => applyMembershipChange(tx, ctx, orgId, customerId, to, actor, extra));
    return { customerId, status: 'ok', code: null, message: null };
  } catch (err) {
    if (err instanceof AppError) return { customerId, status: 'refused', code: err.code, message: err.message };
    throw err;
  }
}

/** Applies the change to a batch of ids, one transaction per customer; unknown ids are refused as not found. */
async function applyBatch(ctx: AppContext, orgId: string, ids: string[], to: MembershipType, actor: Actor, extra: Record<string, unknown>): Promise<BulkOutcome[]> {
  const known = await repo.existingIds(ctx.db, orgId, ids);
  const out: BulkOutcome[] = [];
  for (const id of ids) {
    if (!known.has(id)) out.push({ customerId: id, status: 'refused', code: 'NOT_FOUND', message: `Customer ${id} was not found` });
    else out.push(await applyOne(ctx, orgId, id, to, actor, extra));
  }
  return out;
}

function summarize(outcomes: BulkOutcome[]) {
  const refused = outcomes.filter((o) => o.status === 'refused').length;
  return { total: outcomes.length, changed: outcomes.length - refused, refused };
}

/**
 * Bulk change for a list of ids or a grid filter. Small selections run here and reply
 * with one outcome per customer; larger ones are queued as a 'membership.bulk' job.
 */
export async function bulkChangeMembership(ctx: AppContext, orgId: string, body: BulkMembershipBody, actor: Actor): Promise<BulkMembershipResult> {
  if (body.ids && body.filter) throw AppError.validation('ids', 'give either ids or filter, not both');
  if (!body.ids && !body.filter) throw AppError.validation('ids', 'give ids (a list of customers) or filter (the grid filter)');
  const asOf = ctx.clock.now();
  let ids: string[] | null = body.ids ? [...new Set(body.ids)] : null;
  let total = ids?.length ?? 0;
  if (body.filter) {
    const resolved = await resolveBulkFilter(ctx.db, orgId, body.filter, asOf);
    const count = await countMatches(ctx.db, resolved);
    total = count.value;
    if (count.exact && count.value <= BULK_INLINE_LIMIT) {
      ids = [];
      for await (const batch of customerIdBatches(ctx.db, resolved, BULK_INLINE_LIMIT + 1)) ids.push(...batch);
    }
  }
  if (ids && ids.length <= BULK_INLINE_LIMIT) {
    const outcomes = await applyBatch(ctx, orgId, ids, body.type, actor, { bulk: true });
    return { status: 'done', jobId: null, ...summarize(outcomes), outcomes };
  }
  const jobId = await enqueue(ctx.db, {
    orgId,
    type: 'membership.bulk',
    payload: { type: body.type, ids: ids ?? undefined, filter: ids ? undefined : body.filter, actor, asOf: asOf.toISOString(), total },
    runAt: asOf,
    maxAttempts: 3,
  });
  return { status: 'queued', jobId, total, changed: 0, refused: 0, outcomes: [] };
}

const jobPayloadSchema = z.object({
  type: z.enum(['member', 'guest', 'left']),
  ids: z.array(z.string()).optional(),
  filter: customerFilterSchema.optional(),
  actor: z.object({ type: z.enum(['user', 'api_key', 'system', 'customer']), id: z.string().nullable(), name: z.string() }),
  asOf: z.iso.datetime(),
  total: z.number().int(),
});

/** The 'membership.bulk' job: walks the selection in batches, reporting progress; the result lists refusals. */
export async function runMembershipBulkJob(ctx: AppContext, job: JobRecord, helpers: JobHelpers): Promise<Record<string, unknown>> {
  const p = jobPayloadSchema.parse(job.payload);
  const extra = { bulk: true, jobId: job.id };
  const tally = { total: p.total, processed: 0, changed: 0, refused: 0 };
  const refusals: BulkOutcome[] = [];
  const take = async (ids: string[]) => {
    const outcomes = await applyBatch(ctx, job.orgId, ids, p.type, p.actor, extra);
    const s = summarize(outcomes);
    tally.processed += s.total;
    tally.changed += s.changed;
    tally.refused += s.refused;
    for (const o of outcomes) if (o.status === 'refused' && refusals.length < MAX_REPORTED) refusals.push(o);
    await helpers.progress({ ...tally });
  };
  if (p.ids) {
    for (let i = 0; i < p.ids.length; i += JOB_BATCH) await take(p.ids.slice(i, i + JOB_BATCH));
  } else if (p.filter) {
    const resolved = await resolveBulkFilter(ctx.db, job.orgId, p.filter, new Date(p.asOf));
    for await (const batch of customerIdBatches(ctx.db, resolved, JOB_BATCH)) await take(batch);
  }
  return { ...tally, total: tally.processed, outcomes: refusals, outcomesTruncated: tally.refused > refusals.length };
}
