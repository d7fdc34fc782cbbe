import type { Actor, AppContext } from '../../context.js';
import type { Executor, Tx } from '../../db/tx.js';
import { canEarn } from '../../core/membership.js';
import { tierForProgress, windowBounds, type TierBasis, type TierDef, type WindowBounds } from '../../core/tiers.js';
import { emit } from '../../events/emit.js';
import { recordActivity } from '../activity/index.js';
import { credit } from '../points/index.js';
import type { CustomerRow } from '../points/index.js';
import { findEntryByUniqueKey } from '../points/index.js';
import { expiryFor } from '../points/index.js';
import { getProgram } from '../program/index.js';
import * as repo from './tiers.repo.js';
import type { TierRow } from './tiers.repo.js';
import { getTierSettings, orgFactsOf, tierDefs, tierRowsOf, type TierSettings } from './tiers.service.js';

/** Everything tier evaluation needs about one organization. */
export interface TierContext {
  orgId: string;
  settings: TierSettings;
  rows: TierRow[];
  defs: TierDef[];
  currency: string;
  timezone: string;
}

export type TierCause = 'spend' | 'orders' | 'points' | 'manual' | 'assessment' | 'recalculation' | 'release' | 'progress_set';

export const CAUSE_OF_BASIS: Record<TierBasis, TierCause> = { amount_spent: 'spend', orders_count: 'orders', points_earned: 'points' };

/** Null when the organization has no tiers (nothing to evaluate). */
export async function loadTierContext(db: Executor, orgId: string): Promise<TierContext | null> {
  const rows = [...(await tierRowsOf(db, orgId))];
  if (rows.length === 0) return null;
  const [settings, org] = await Promise.all([getTierSettings(db, orgId), orgFactsOf(db, orgId)]);
  return { orgId, settings, rows, defs: tierDefs(rows), currency: org.currency.trim(), timezone: org.timezone };
}

export function currentWindow(tc: TierContext, now: Date): WindowBounds {
  return windowBounds(tc.settings.window, now, tc.timezone);
}

/** Progress inside the window, in the basis unit, from history (orders, ledger) plus staff edits. */
export async function progressIn(db: Executor, tc: TierContext, customerId: string, w: WindowBounds, withEdits = true): Promise<number> {
  const p = await repo.progressParts(db, tc.orgId, customerId, w);
  const base = tc.settings.basis === 'amount_spent' ? p.spentMinor : tc.settings.basis === 'orders_count' ? p.orders : p.points;
  return base + (withEdits ? p.adjustments : 0);
}

export function defOf(tc: TierContext, tierId: string | null): TierDef | null {
  return tierId === null ? null : (tc.defs.find((d) => d.id === tierId) ?? null);
}

export function rowOf(tc: TierContext, tierId: string): TierRow {
  const row = tc.rows.find((r) => r.id === tierId);
  if (!row) throw new Error(`tier ${tierId} not loaded`);
  return row;
}

export interface TierChange {
  to: TierDef | null;
  cause: TierCause;
  orderId: string | null;
  actor: Actor;
  at: Date;
  manual?: boolean;
  /** False: staff chose not to grant the new tier's entry reward (recorded in the timeline). */
  entryReward?: boolean;
  /** Why, in words, added to the timeline summary ("300.00 USD spent in lifetime"). */
  why?: string;
}

const plural = (n: number) => `${n} point${n === 1 ? '' : 's'}`;

/**
 * Moves the (locked) customer to another tier in the caller's transaction: customer
 * columns, timeline event with previous/new tier, cause and qualifying order, outbound
 * event, and the new tier's entry reward when moving up (once per tier per customer).
 */
export async function changeTier(tx: Tx, ctx: AppContext, tc: TierContext, customer: CustomerRow, change: TierChange): Promise<void> {
  const from = defOf(tc, customer.tier_id);
  const to = change.to;
  const up = to !== null && (from === null || to.rank > from.rank);
  const patch = {
    tier_id: to?.id ?? null,
    tier_achieved_at: to ? change.at : null,
    tier_qualifying_order_id: change.orderId,
    tier_updated_at: change.at,
    ...(change.manual !== undefined ? { tier_manual: change.manual } : {}),
    updated_at: change.at,
  };
  await repo.setCustomerTierState(tx, tc.orgId, customer.id, patch);
  Object.assign(customer, patch);
  const name = (d: TierDef | null) => d?.name ?? 'no tier';
  await recordActivity(tx, {
    orgId: tc.orgId,
    customerId: customer.id,
    type: 'tier.changed',
    actor: change.actor,
    summary: `Tier ${up ? 'upgraded' : 'changed'} from ${name(from)} to ${name(to)} (${change.cause}${change.orderId ? `, order ${change.orderId}` : ''})${change.why ? `: ${change.why}` : ''}`,
    payload: {
      previousTierId: from?.id ?? null,
      previousTier: from?.name ?? null,
      tierId: to?.id ?? null,
      tier: to?.name ?? null,
      direction: up ? 'up' : 'down',
      cause: change.cause,
      qualifyingOrderId: change.orderId,
      ...(change.why ? { why: change.why } : {}),
    },
    at: change.at,
  });
  await emit(
    tx,
    ctx,
    { type: 'tier.changed', orgId: tc.orgId, payload: { customerId: customer.id, previousTierId: from?.id ?? null, tierId: to?.id ?? null, cause: change.cause, orderId: change.orderId } },
    { actor: change.actor, at: change.at, customer },
  );
  if (up && to) await creditEntryReward(tx, ctx, tc, customer, rowOf(tc, to.id), change);
}

/**
 * The entry reward moving `customer` up to `tier` would credit now: the tier's entry points
 * when it has some, the customer can earn, and has not had this tier's reward before.
 */
export async function dueEntryReward(db: Executor, orgId: string, customer: Pick<CustomerRow, 'id' | 'membership_type'>, tier: TierRow): Promise<number> {
  if (tier.entry_points <= 0) return 0;
  const program = await getProgram(db, orgId);
  if (!canEarn(customer.membership_type, { guestEarning: program.guestEarning })) return 0;
  if (await findEntryByUniqueKey(db, orgId, entryRewardKey(customer.id, tier.id))) return 0;
  return tier.entry_points;
}

const entryRewardKey = (customerId: string, tierId: string) => `tier_entry:${customerId}:${tierId}`;

async function creditEntryReward(tx: Tx, ctx: AppContext, tc: TierContext, customer: CustomerRow, tier: TierRow, change: TierChange): Promise<void> {
  const due = await dueEntryReward(tx, tc.orgId, customer, tier);
  if (due <= 0) return;
  if (change.entryReward === false) {
    await recordActivity(tx, {
      orgId: tc.orgId,
      customerId: customer.id,
      type: 'tier.entry_reward_skipped',
      actor: change.actor,
      summary: `Entry reward of ${tier.name} (${plural(due)}) not granted: skipped by staff with the tier change`,
      payload: { tierId: tier.id, tier: tier.name, points: due },
      at: change.at,
    });
    return;
  }
  const program = await getProgram(tx, tc.orgId);
  const uniqueKey = entryRewardKey(customer.id, tier.id);
  const entry = await credit(tx, ctx, {
    orgId: tc.orgId,
    customer,
    kind: 'earn_rule',
    points: tier.entry_points,
    reason: `Welcome to ${tier.name}`,
    customerMessage: `Welcome to ${tier.name}: ${plural(tier.entry_points)}`,
    explanation: `${plural(tier.entry_points)}: entry reward of tier ${tier.name} (once per customer)`,
    sourceType: 'tier',
    sourceId: tier.id,
    uniqueKey,
    actor: change.actor,
    at: change.at,
    expiresAt: expiryFor(program, change.at),
  });
  await recordActivity(tx, {
    orgId: tc.orgId,
    customerId: customer.id,
    type: 'tier.entry_reward',
    actor: change.actor,
    summary: `${plural(tier.entry_points)} for entering ${tier.name}`,
    payload: { entryId: entry.id, tierId: tier.id, points: tier.entry_points },
    at: change.at,
  });
}

/**
 * Recomputes progress in the current window and upgrades when it qualifies for a higher
 * tier. Runs inside the transaction of the qualifying event, on a locked customer.
 */
export async function evaluateUpgrade(tx: Tx, ctx: AppContext, customer: CustomerRow, cause: TierCause, orderId: string | null, actor: Actor): Promise<void> {
  const tc = await loadTierContext(tx, customer.org_id);
  if (!tc) return;
  const at = ctx.clock.now();
  const progress = await progressIn(tx, tc, customer.id, currentWindow(tc, at));
  if (progress !== customer.tier_progress) {
    await repo.setCustomerTierState(tx, tc.orgId, customer.id, { tier_progress: progress, updated_at: at });
    customer.tier_progress = progress;
  }
  await upgradeIfQualified(tx, ctx, tc, customer, progress, { cause, orderId, actor, at });
}

/** Customers who cannot earn (left, or guests without guest earning) do not move up. */
export async function upgradeIfQualified(
  tx: Tx,
  ctx: AppContext,
  tc: TierContext,
  customer: CustomerRow,
  progress: number,
  how: { cause: TierCause; orderId: string | null; actor: Actor; at: Date },
): Promise<boolean> {
  const program = await getProgram(tx, tc.orgId);
  if (!canEarn(customer.membership_type, { guestEarning: program.guestEarning })) return false;
  const current = defOf(tc, customer.tier_id);
  const best = tierForProgress(tc.defs, BigInt(progress));
  if (!best || (current !== null && best.rank <= current.rank)) return false;
  await changeTier(tx, ctx, tc, customer, { to: best, ...how });
  return true;
}
