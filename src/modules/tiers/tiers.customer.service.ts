import type { Actor, AppContext, Clock } from '../../context.js';
import { newId } from '../../db/ids.js';
import { withTx, type Executor } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { nextTier, progressExplanation } from '../../core/tiers.js';
import { recordActivity } from '../activity/index.js';
import { toCustomerView, type TierViewLoader } from '../customers/index.js';
import type { CustomerView } from '../customers/index.js';
import { lockForChange } from '../points/index.js';
import * as repo from './tiers.repo.js';
import { changeTier, currentWindow, defOf, loadTierContext, progressIn, upgradeIfQualified, type TierContext } from './tiers.progress.js';
import { basisValue, formatProgress, parseBasisValue } from './tiers.service.js';
import { pendingDowngrade, settleReleasedTier, tierReason } from './tiers.standing.js';

/** The profile's tier section: tier, live progress in the current window, and what the next tier needs. */
export function tierProfileLoader(clock: Clock): TierViewLoader {
  return async (db: Executor, row) => {
    if (!row.tier_id) return null;
    const tc = await loadTierContext(db, row.org_id);
    const current = tc ? defOf(tc, row.tier_id) : null;
    if (!tc || !current) return null;
    const w = currentWindow(tc, clock.now());
    const progress = await progressIn(db, tc, row.id, w);
    const next = nextTier(tc.defs, current, BigInt(progress));
    const { reason, manualTier } = await tierReason(db, tc, row, current, progress);
    const pending = await pendingDowngrade(db, tc, row, clock.now());
    return {
      id: current.id,
      name: current.name,
      progress: basisValue(tc.settings.basis, progress, tc.currency),
      manual: row.tier_manual,
      manualTier: manualTier ? { id: manualTier.id, name: manualTier.name } : null,
      reason,
      downgradePending: pending
        ? { to: pending.to ? { id: pending.to.id, name: pending.to.name } : null, at: pending.at.toISOString(), reason: pending.reason }
        : null,
      achievedAt: row.tier_achieved_at?.toISOString() ?? null,
      qualifyingOrderId: row.tier_qualifying_order_id,
      updatedAt: row.tier_updated_at?.toISOString() ?? null,
      next: next
        ? {
            id: next.tier.id,
            name: next.tier.name,
            missing: basisValue(tc.settings.basis, Number(next.missing), tc.currency),
            explanation: progressExplanation({
              basis: tc.settings.basis,
              missing: next.missing,
              currency: tc.currency,
              nextTierName: next.tier.name,
              windowEnd: w.end,
              timeZone: tc.timezone,
            }),
          }
        : null,
    };
  };
}

async function requireTiers(db: Executor, orgId: string) {
  const tc = await loadTierContext(db, orgId);
  if (!tc) throw new AppError('RULE_REFUSED', 'No tiers are configured yet; create tiers under /api/v1/tiers first', {});
  return tc;
}

/**
 * Staff assign a tier (optionally with progress), up or down. The assignment is manual:
 * it becomes the customer's floor until released; the assessment never lowers the tier
 * below it, qualifying activity can still raise it. Moving up grants the tier's entry
 * reward unless `grantEntryReward` is false (the skip is recorded in the timeline).
 */
export async function assignTier(
  ctx: AppContext,
  orgId: string,
  customerId: string,
  input: { tierId: string; tierProgress?: string | number | undefined; reason?: string | undefined; grantEntryReward?: boolean | undefined },
  actor: Actor,
  opts: { text?: boolean } = {},
): Promise<CustomerView> {
  const row = await withTx(ctx.db, async (tx) => {
    const customer = await lockForChange(tx, orgId, customerId);
    const tc = await requireTiers(tx, orgId);
    const target = defOf(tc, input.tierId);
    if (!target) throw AppError.notFound('Tier', input.tierId);
    const now = ctx.clock.now();
    const w = currentWindow(tc, now);
    const computed = await progressIn(tx, tc, customerId, w);
    let progress = computed;
    if (input.tierProgress !== undefined) {
      progress = parseBasisValue('tierProgress', tc.settings.basis, input.tierProgress, tc.currency, opts);
      await insertProgressEdit(tx, orgId, customerId, progress - computed, input.reason, actor, now);
    }
    await repo.setFloor(tx, orgId, customerId, target.id, now);
    const previousProgress = customer.tier_progress;
    await repo.setCustomerTierState(tx, orgId, customerId, { tier_manual: true, tier_progress: progress, tier_updated_at: now, updated_at: now });
    Object.assign(customer, { tier_manual: true, tier_progress: progress, tier_updated_at: now });
    if (customer.tier_id !== target.id) {
      await changeTier(tx, ctx, tc, customer, { to: target, cause: 'manual', orderId: null, actor, at: now, entryReward: input.grantEntryReward ?? true });
    } else {
      await recordActivity(tx, {
        orgId,
        customerId,
        type: 'tier.manual_assigned',
        actor,
        summary: `Tier ${target.name} kept and marked as manually assigned`,
        payload: { tierId: target.id, tier: target.name },
        at: now,
      });
    }
    if (input.tierProgress !== undefined) await recordProgressSet(tx, tc, customerId, previousProgress, progress, input.reason, actor, now);
    return customer;
  });
  return toCustomerView(ctx, row);
}

/**
 * Releases the manual floor. Progress that reaches a higher tier raises it at once; a lower
 * one is left to the assessment (the profile shows the pending downgrade and its date).
 */
export async function releaseManualTier(ctx: AppContext, orgId: string, customerId: string, actor: Actor): Promise<CustomerView> {
  const row = await withTx(ctx.db, async (tx) => {
    const customer = await lockForChange(tx, orgId, customerId);
    if (!customer.tier_manual) {
      throw new AppError('CONFLICT', "This customer's tier is not manually assigned; there is nothing to release", { id: customerId });
    }
    const floor = await repo.findFloor(tx, orgId, customerId);
    const now = ctx.clock.now();
    await repo.deleteFloor(tx, orgId, customerId);
    await repo.setCustomerTierState(tx, orgId, customerId, { tier_manual: false, tier_updated_at: now, updated_at: now });
    Object.assign(customer, { tier_manual: false, tier_updated_at: now });
    await recordActivity(tx, {
      orgId,
      customerId,
      type: 'tier.manual_released',
      actor,
      summary: 'Manual tier assignment released: the tier now follows progress',
      payload: { tierId: customer.tier_id, floorTierId: floor?.tier_id ?? null },
      at: now,
    });
    const tc = await loadTierContext(tx, orgId);
    if (tc) await settleReleasedTier(tx, ctx, tc, customer, actor, now);
    return customer;
  });
  return toCustomerView(ctx, row);
}

/**
 * Recomputes progress from history (orders and ledger in the current window). Earlier
 * staff edits of progress inside the window are cancelled by a compensating edit, so the
 * result is exactly what history says. Never changes the tier or the manual label: the
 * next qualifying activity or assessment applies the rules to the new progress.
 */
export async function recalculateTier(ctx: AppContext, orgId: string, customerId: string, actor: Actor): Promise<CustomerView> {
  const row = await withTx(ctx.db, async (tx) => {
    const customer = await lockForChange(tx, orgId, customerId);
    const tc = await requireTiers(tx, orgId);
    const now = ctx.clock.now();
    const w = currentWindow(tc, now);
    const fromHistory = await progressIn(tx, tc, customerId, w, false);
    const withEdits = await progressIn(tx, tc, customerId, w, true);
    if (withEdits !== fromHistory) {
      await repo.insertProgressAdjustment(tx, {
        org_id: orgId,
        id: newId(now.getTime()),
        customer_id: customerId,
        delta: fromHistory - withEdits,
        reason: 'Recalculated from history: earlier progress edits cancelled',
        actor_type: actor.type,
        actor_id: actor.id,
        actor_name: actor.name,
        created_at: now,
      });
    }
    const previous = customer.tier_progress;
    await repo.setCustomerTierState(tx, orgId, customerId, { tier_progress: fromHistory, updated_at: now });
    customer.tier_progress = fromHistory;
    const fmt = (v: number) => formatProgress(tc.settings.basis, v, tc.currency);
    await recordActivity(tx, {
      orgId,
      customerId,
      type: 'tier.recalculated',
      actor,
      summary: `Tier progress recalculated from history: ${fmt(fromHistory)} (was ${fmt(previous)})`,
      payload: {
        previousProgress: basisValue(tc.settings.basis, previous, tc.currency),
        progress: basisValue(tc.settings.basis, fromHistory, tc.currency),
        basis: tc.settings.basis,
        window: tc.settings.window,
      },
      at: now,
    });
    return customer;
  });
  return toCustomerView(ctx, row);
}

async function insertProgressEdit(tx: Executor, orgId: string, customerId: string, delta: number, reason: string | undefined, actor: Actor, now: Date): Promise<void> {
  if (delta === 0) return;
  await repo.insertProgressAdjustment(tx, {
    org_id: orgId,
    id: newId(now.getTime()),
    customer_id: customerId,
    delta,
    reason: reason?.trim() || 'Tier progress set by staff',
    actor_type: actor.type,
    actor_id: actor.id,
    actor_name: actor.name,
    created_at: now,
  });
}

async function recordProgressSet(tx: Executor, tc: TierContext, customerId: string, previous: number, progress: number, reason: string | undefined, actor: Actor, now: Date): Promise<void> {
  const { basis } = tc.settings;
  await recordActivity(tx, {
    orgId: tc.orgId,
    customerId,
    type: 'tier.progress_set',
    actor,
    summary: `Tier progress set to ${formatProgress(basis, progress, tc.currency)} (was ${formatProgress(basis, previous, tc.currency)})`,
    payload: { previousProgress: basisValue(basis, previous, tc.currency), progress: basisValue(basis, progress, tc.currency), basis, reason: reason ?? null },
    at: now,
  });
}

/**
 * Staff set the progress alone. The tier does not become manual; like qualifying activity,
 * progress that reaches a higher tier raises it at once, a lower one waits for the assessment.
 */
export async function setTierProgress(
  ctx: AppContext,
  orgId: string,
  customerId: string,
  input: { tierProgress: string | number; reason?: string | undefined },
  actor: Actor,
): Promise<CustomerView> {
  const row = await withTx(ctx.db, async (tx) => {
    const customer = await lockForChange(tx, orgId, customerId);
    const tc = await requireTiers(tx, orgId);
    const now = ctx.clock.now();
    const computed = await progressIn(tx, tc, customerId, currentWindow(tc, now));
    const progress = parseBasisValue('tierProgress', tc.settings.basis, input.tierProgress, tc.currency);
    await insertProgressEdit(tx, orgId, customerId, progress - computed, input.reason, actor, now);
    const previous = customer.tier_progress;
    await repo.setCustomerTierState(tx, orgId, customerId, { tier_progress: progress, updated_at: now });
    customer.tier_progress = progress;
    await recordProgressSet(tx, tc, customerId, previous, progress, input.reason, actor, now);
    await upgradeIfQualified(tx, ctx, tc, customer, progress, { cause: 'progress_set', orderId: null, actor, at: now });
    return customer;
  });
  return toCustomerView(ctx, row);
}
