import type { Actor, AppContext } from '../../context.js';
import { canonicalCode } from '../../core/codes.js';
import { canEarn } from '../../core/membership.js';
import { newId } from '../../db/ids.js';
import { withTx, type Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { emit } from '../../events/emit.js';
import { reaction } from '../../events/types.js';
import { recordActivity } from '../activity/index.js';
import type { OrderRow } from '../orders/index.js';
import { credit } from '../points/index.js';
import { findEntryByUniqueKey, lockCustomer, type CustomerRow, type EntryRow } from '../points/index.js';
import { expiryFor } from '../points/index.js';
import { lockForChange } from '../customers/index.js';
import { findCustomer } from '../customers/index.js';
import { getProgram } from '../program/index.js';
import * as repo from './referrals.repo.js';
import type { ReferralRow } from './referrals.repo.js';

const plural = (n: number) => `${n} point${n === 1 ? '' : 's'}`;

export function toReferralView(r: ReferralRow) {
  return {
    id: r.id,
    referrerCustomerId: r.referrer_customer_id,
    friendCustomerId: r.friend_customer_id,
    clickId: r.click_id,
    status: r.status,
    completedOrderId: r.completed_order_id,
    rewardPoints: r.reward_points,
    rewardEntryId: r.reward_entry_id,
    createdAt: r.created_at.toISOString(),
    completedAt: r.completed_at?.toISOString() ?? null,
  };
}

const refused = (message: string, details: Record<string, unknown> = {}) => new AppError('RULE_REFUSED', message, details);
const DISABLED = 'This referral link is disabled: the friend can still shop, but no referral starts';

async function resolveReferrer(tx: Tx, orgId: string, input: { code?: string | undefined; clickId?: string | undefined }) {
  if (input.code !== undefined) {
    const key = canonicalCode(input.code);
    const link = key ? await repo.findLinkByCode(tx, orgId, key) : undefined;
    if (!link) throw new AppError('NOT_FOUND', `No referral link has the code "${input.code}" (a regenerated code stops working)`, { code: input.code });
    if (link.status !== 'active') throw refused(DISABLED, { code: link.code });
    return { referrerId: link.customer_id, clickId: null };
  }
  const click = await repo.findClick(tx, orgId, input.clickId!);
  if (!click) throw new AppError('NOT_FOUND', `No referral click ${input.clickId} was recorded`, { clickId: input.clickId });
  if (!click.tracked) throw refused(DISABLED, { clickId: click.id });
  return { referrerId: click.referrer_customer_id, clickId: click.id };
}

/**
 * The store reports a friend who signed up through a referral link (code or the click id
 * from the `patron_ref` cookie): a pending referral, refused for self-referral (same
 * customer or same email), a friend already referred, or a friend who already ordered.
 */
export async function createReferral(
  ctx: AppContext,
  orgId: string,
  input: { code?: string | undefined; clickId?: string | undefined; friendCustomerId: string },
  actor: Actor,
) {
  return withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const friend = await lockForChange(tx, orgId, input.friendCustomerId);
    const { referrerId, clickId } = await resolveReferrer(tx, orgId, input);
    if (referrerId === friend.id) throw refused('A customer cannot refer themselves', { referrerCustomerId: referrerId });
    const referrer = (await findCustomer(tx, orgId, referrerId))!;
    if (referrer.membership_type !== 'member' || referrer.anonymized_at) {
      const who = referrer.anonymized_at ? 'was anonymized' : 'left the program';
      throw refused(`The owner of this referral link ${who}: their link lands on the store but starts no referral`, { referrerCustomerId: referrerId, membershipType: referrer.membership_type });
    }
    if (referrer.email && friend.email && referrer.email.trim().toLowerCase() === friend.email.trim().toLowerCase()) {
      throw refused('Self-referral: the friend has the same email address as the referrer', { referrerCustomerId: referrerId });
    }
    const previous = await repo.findReferralByFriend(tx, orgId, friend.id);
    if (previous) {
      throw new AppError('ALREADY_EXISTS', `This customer was already referred on ${previous.created_at.toISOString().slice(0, 10)}; a friend can be referred once`, {
        referralId: previous.id,
      });
    }
    if (friend.orders_count > 0) throw refused('This customer has already placed an order; referrals are for new customers', { ordersCount: friend.orders_count });
    const referral = await repo.insertReferral(tx, {
      org_id: orgId,
      id: newId(now.getTime()),
      referrer_customer_id: referrerId,
      friend_customer_id: friend.id,
      click_id: clickId,
      status: 'pending',
      completed_order_id: null,
      reward_entry_id: null,
      reward_points: 0,
      created_at: now,
      completed_at: null,
    });
    const payload = { referralId: referral.id, referrerCustomerId: referrerId, friendCustomerId: friend.id, clickId };
    await recordActivity(tx, { orgId, customerId: referrerId, type: 'referral.created', actor, summary: 'Referred a new customer: pending until their first order', payload, at: now });
    await recordActivity(tx, { orgId, customerId: friend.id, type: 'referral.joined', actor, summary: 'Signed up through a referral link: pending until the first order', payload, at: now });
    await emit(tx, ctx, { type: 'referral.created', orgId, payload }, { actor, at: now, customer: friend });
    return toReferralView(referral);
  });
}

/** Why the referrer gets no points (null when they do). */
function noRewardReason(referrer: CustomerRow, points: number, guestEarning: boolean): string | null {
  if (points <= 0) return 'no active referral rule gives points';
  if (referrer.anonymized_at) return 'the referrer was anonymized';
  if (!canEarn(referrer.membership_type, { guestEarning })) return referrer.membership_type === 'left' ? 'the referrer left the program' : 'guests do not earn in this program';
  return null;
}

/** Pending -> completed on the friend's first counted order, crediting the referrer the rule's points once. */
async function completeOnOrder(tx: Tx, ctx: AppContext, friend: CustomerRow, order: OrderRow, actor: Actor): Promise<void> {
  const referral = await repo.lockPendingReferralByFriend(tx, order.org_id, friend.id);
  if (!referral) return;
  const orgId = order.org_id;
  const now = ctx.clock.now();
  const referrer = (await lockCustomer(tx, orgId, referral.referrer_customer_id))!;
  const rule = await repo.findReferralRule(tx, orgId);
  const program = await getProgram(tx, orgId);
  const points = rule?.active ? rule.points : 0;
  const why = noRewardReason(referrer, points, program.guestEarning);
  const uniqueKey = `referral:${referral.id}:reward`;
  let entry: EntryRow | null = null;
  if (!why && !(await findEntryByUniqueKey(tx, orgId, uniqueKey))) {
    entry = await credit(tx, ctx, {
      orgId,
      customer: referrer,
      kind: 'earn_rule',
      points,
      reason: `Referral completed (order #${order.external_id})`,
      customerMessage: 'Points for referring a friend',
      countsTowardTier: true,
      explanation: `+${plural(points)}: referral rule "${rule!.name}", the referred friend placed their first order #${order.external_id}`,
      sourceType: 'referral',
      sourceId: referral.id,
      uniqueKey,
      actor,
      at: now,
      expiresAt: expiryFor(program, now),
    });
  }
  await repo.updateReferral(tx, orgId, referral.id, {
    status: 'completed',
    completed_order_id: order.id,
    completed_at: now,
    reward_entry_id: entry?.id ?? null,
    reward_points: entry?.points ?? 0,
  });
  const payload = { referralId: referral.id, referrerCustomerId: referrer.id, friendCustomerId: friend.id, orderId: order.id, points: entry?.points ?? 0, entryId: entry?.id ?? null };
  const reward = entry ? `: +${plural(entry.points)}` : why ? ` (no points: ${why})` : '';
  await recordActivity(tx, { orgId, customerId: referrer.id, type: 'referral.completed', actor, summary: `Referral completed: the referred friend placed order #${order.external_id}${reward}`, payload, at: now });
  await recordActivity(tx, { orgId, customerId: friend.id, type: 'referral.completed', actor, summary: `Referral completed with first order #${order.external_id}`, payload, at: now });
  await emit(tx, ctx, { type: 'referral.completed', orgId, payload }, { actor, at: now, customer: referrer, order });
}

/** A friend's first counted order completes their pending referral, in the order's transaction. */
export const referralsReactions = [
  reaction('order.counted', 'referrals.complete-on-first-order', async (tx, ctx, e, scope) => {
    if (scope.customer && scope.order) await completeOnOrder(tx, ctx, scope.customer, scope.order, scope.actor);
  }),
];
