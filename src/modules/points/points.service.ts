import type { Actor, AppContext } from '../../context.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { recordActivity } from '../activity/index.js';
import { customerExists } from '../customers/index.js';
import { getProgram } from '../program/index.js';
import { adjustOnce } from './points.adjust.js';
import * as repo from './points.repo.js';
import type { CustomerRow, EntryRow } from './points.repo.js';
import type { z } from 'zod';
import type { entrySchema } from './points.schemas.js';
import type { EntryKind } from './points.tables.js';
import { keysetPage } from '../../db/paging.js';

/** A ledger entry as the API shows it (the `LedgerEntry` schema). */
export type EntryView = z.infer<typeof entrySchema>;

export function toEntryView(e: EntryRow): EntryView {
  return {
    id: e.id,
    kind: e.kind,
    points: e.points,
    activeDelta: e.active_delta,
    pendingDelta: e.pending_delta,
    reason: e.reason,
    customerMessage: e.customer_message,
    visibleToCustomer: e.visible_to_customer,
    countsTowardTier: e.counts_toward_tier,
    explanation: e.explanation,
    source: e.source_type && e.source_id ? { type: e.source_type, id: e.source_id } : null,
    actor: { type: e.actor_type, id: e.actor_id, name: e.actor_name },
    balanceAfter: e.balance_after,
    createdAt: e.created_at.toISOString(),
  };
}

export function balancesOf(c: CustomerRow) {
  return {
    active: c.points_active,
    pending: c.points_pending,
    earned: c.points_earned,
    redeemed: c.points_redeemed,
    adjusted: c.points_adjusted,
    expired: c.points_expired,
    reversed: c.points_reversed,
  };
}

export { lockForChange } from '../customers/index.js';
export { expiryFor } from './points.expiry.js';

export interface AdjustmentInput {
  direction: 'add' | 'deduct';
  points: number;
  reason: string;
  customerMessage?: string | undefined;
  visibleToCustomer?: boolean | undefined;
  countsTowardTier?: boolean | undefined;
}

export async function adjustPoints(ctx: AppContext, orgId: string, customerId: string, input: AdjustmentInput, actor: Actor) {
  const reason = input.reason.trim();
  if (!reason) throw AppError.validation('reason', 'is required: say why the points change (staff see it in the ledger)');
  const program = await getProgram(ctx.db, orgId);
  // One statement: the lock, the checks and the write (see `change` in points.ledger.ts).
  const { entry, customer } = await adjustOnce(ctx.db, ctx, program, { ...input, reason, orgId, customerId, actor, at: ctx.clock.now() });
  return { entry: toEntryView(entry), balances: balancesOf(customer) };
}

export async function listEntries(
  ctx: AppContext,
  orgId: string,
  customerId: string,
  opts: { limit: number; before: { createdAt: Date; id: string } | null; kinds?: EntryKind[] | undefined },
) {
  if (!(await customerExists(ctx.db, orgId, customerId))) throw AppError.notFound('Customer', customerId);
  const { page, next } = await keysetPage(
    opts.limit,
    (limit) => repo.listEntries(ctx.db, orgId, customerId, { ...opts, limit }),
    (last) => ({ createdAt: last.created_at.toISOString(), id: last.id }),
  );
  return { items: page.map(toEntryView), next };
}

export async function setEntryVisibility(ctx: AppContext, orgId: string, customerId: string, entryId: string, visible: boolean, actor: Actor) {
  return withTx(ctx.db, async (tx) => {
    const entry = await repo.findEntry(tx, orgId, customerId, entryId);
    if (!entry) throw AppError.notFound('Ledger entry', entryId);
    if (entry.visible_to_customer !== visible) {
      await repo.setEntryVisibility(tx, orgId, entryId, visible);
      await recordActivity(tx, {
        orgId,
        customerId,
        type: 'points.visibility_changed',
        actor,
        summary: `Ledger entry ${visible ? 'shown to' : 'hidden from'} the customer`,
        payload: { entryId, visibleToCustomer: visible },
        at: ctx.clock.now(),
      });
    }
    return toEntryView({ ...entry, visible_to_customer: visible });
  });
}
