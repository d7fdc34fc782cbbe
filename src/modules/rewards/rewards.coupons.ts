import { randomBytes } from 'node:crypto';
import type { Actor, AppContext } from '../../context.js';
import { canonicalCode, generateCode } from '../../core/codes.js';
import { formatMoney } from '../../core/money.js';
import { newId } from '../../db/ids.js';
import { withTx, type Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { emit } from '../../events/emit.js';
import { reaction } from '../../events/types.js';
import { recordActivity } from '../activity/index.js';
import { customerExists } from '../customers/index.js';
import { assertCanRedeem } from '../membership/index.js';
import { debit, restore } from '../points/index.js';
import type { OrderRow } from '../orders/index.js';
import { findEntryByUniqueKey, type CustomerRow } from '../points/index.js';
import { balancesOf, lockForChange } from '../points/index.js';
import * as repo from './rewards.repo.js';
import type { CouponRow, RewardRow } from './rewards.repo.js';
import type { RewardType } from './rewards.tables.js';
import { REWARD_LABELS, toCouponView, trimPercent } from './rewards.views.js';
import { keysetPage } from '../../db/paging.js';

const plural = (n: number) => `${n} point${n === 1 ? '' : 's'}`;
const CODE_ATTEMPTS = 8;

/** Why a reward type cannot be given from the customer page. */
const NOT_GIVABLE: Partial<Record<RewardType, string>> = {
  variable: 'the customer chooses how many points to spend, so there is no fixed coupon to give; redeem it on their behalf with a number of points instead',
  cart_fixed_amount: 'its discount is worked out from the cart at checkout, so it cannot be issued as a standalone coupon',
  free_product: 'the store adds the product at checkout, so it cannot be issued as a standalone coupon',
  price_adjustment: 'it changes product prices at checkout rather than producing a coupon',
};

function valueText(r: { value_minor: number | null; value_percent: string | null; product_ref: string | null; type: RewardType }, currency: string): string {
  if (r.value_percent !== null) return `${trimPercent(r.value_percent)}% off`;
  if (r.value_minor !== null) return `${formatMoney(BigInt(r.value_minor), currency)} ${currency}`;
  return REWARD_LABELS[r.type];
}

function assertActive(reward: RewardRow): void {
  if (!reward.active) {
    throw new AppError('RULE_REFUSED', `Reward "${reward.name}" is inactive; activate it in the rewards catalogue first`, { rewardId: reward.id });
  }
}

/** Points and money value of one coupon; variable rewards take `points` in steps of pointsCost. */
function priceOf(reward: RewardRow, points: number | undefined): { points: number; valueMinor: number | null } {
  if (reward.type !== 'variable') {
    if (points !== undefined && points !== reward.points_cost) {
      throw AppError.validation('points', `only variable rewards take points; "${reward.name}" costs ${plural(reward.points_cost)}`);
    }
    return { points: reward.points_cost, valueMinor: reward.value_minor };
  }
  const step = reward.points_cost;
  if (points === undefined) throw AppError.validation('points', `is required for variable rewards: how many points to spend, in steps of ${step}`);
  if (points < step || points % step !== 0) throw AppError.validation('points', `must be a multiple of ${step} (each ${step} points is one step of value)`);
  if (reward.max_points !== null && points > reward.max_points) throw AppError.validation('points', `must be at most ${reward.max_points} for "${reward.name}"`);
  const value = BigInt(reward.value_minor ?? 0) * BigInt(points / step);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw AppError.validation('points', 'gives a value too large to represent');
  return { points, valueMinor: Number(value) };
}

interface IssueInput {
  orgId: string;
  customer: CustomerRow;
  reward: RewardRow;
  currency: string;
  couponId: string;
  points: number;
  valueMinor: number | null;
  issuedVia: 'redemption' | 'gift';
  debitEntryId: string | null;
  actor: Actor;
  now: Date;
}

/** Inserts the coupon with a fresh readable code, retrying on the (rare) clash with an existing code. */
async function insertCoupon(tx: Tx, i: IssueInput): Promise<CouponRow> {
  const r = i.reward;
  const expiresAt = r.coupon_validity_days === null ? null : new Date(i.now.getTime() + r.coupon_validity_days * 86_400_000);
  for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
    const code = generateCode(randomBytes, { groups: 3, groupLength: 4, ...(r.code_prefix ? { prefix: r.code_prefix } : {}) });
    const row = await repo.insertCouponIfCodeFree(tx, {
      org_id: i.orgId,
      id: i.couponId,
      customer_id: i.customer.id,
      reward_id: r.id,
      code,
      code_key: canonicalCode(code)!,
      reward_name: r.name,
      reward_type: r.type,
      value_minor: i.valueMinor,
      value_percent: r.value_percent,
      currency: i.currency,
      min_order_minor: r.min_order_minor,
      product_ref: r.product_ref,
      points_cost: i.points,
      issued_via: i.issuedVia,
      debit_entry_id: i.debitEntryId,
      refund_entry_id: null,
      status: 'active',
      expires_at: expiresAt,
      used_at: null,
      used_order_id: null,
      revoked_at: null,
      revoke_reason: null,
      expired_at: null,
      actor_type: i.actor.type,
      actor_id: i.actor.id,
      actor_name: i.actor.name,
      created_at: i.now,
      updated_at: i.now,
    });
    if (row) return row;
  }
  throw new AppError('CONCURRENT_UPDATE', 'Could not find a free coupon code; please retry', { retryable: true });
}

async function loadForIssue(tx: Tx, orgId: string, customerId: string, rewardId: string) {
  const customer = await lockForChange(tx, orgId, customerId);
  const reward = await repo.findReward(tx, orgId, rewardId);
  if (!reward) throw AppError.notFound('Reward', rewardId);
  return { customer, reward };
}

async function issue(tx: Tx, ctx: AppContext, i: Omit<IssueInput, 'debitEntryId' | 'couponId'> & { deduct: boolean }) {
  const couponId = newId(i.now.getTime());
  const what = `"${i.reward.name}" (${valueText({ ...i.reward, value_minor: i.valueMinor }, i.currency)})`;
  let debitEntryId: string | null = null;
  if (i.deduct) {
    const verb = i.issuedVia === 'redemption' ? 'redeemed' : 'given';
    const { entry } = await debit(tx, ctx, {
      orgId: i.orgId,
      customer: i.customer,
      kind: 'redeem',
      points: i.points,
      mode: 'strict',
      reason: `Reward ${what}`,
      customerMessage: `Redeemed ${i.reward.name}`,
      explanation: `-${plural(i.points)}: reward ${what} ${verb} on the customer's behalf by ${i.actor.name}`,
      sourceType: 'coupon',
      sourceId: couponId,
      actor: i.actor,
      at: i.now,
    });
    debitEntryId = entry?.id ?? null;
  }
  const coupon = await insertCoupon(tx, { ...i, couponId, debitEntryId, points: i.deduct ? i.points : 0 });
  const cost = i.deduct ? ` for ${plural(i.points)}` : ' without deducting points';
  await recordActivity(tx, {
    orgId: i.orgId,
    customerId: i.customer.id,
    type: i.issuedVia === 'redemption' ? 'reward.redeemed' : 'reward.given',
    actor: i.actor,
    summary: `${i.issuedVia === 'redemption' ? 'Redeemed' : 'Gave'} reward ${what}${cost}: coupon ${coupon.code}`,
    payload: { couponId, rewardId: i.reward.id, code: coupon.code, points: coupon.points_cost, entryId: debitEntryId, expiresAt: coupon.expires_at?.toISOString() ?? null },
    at: i.now,
  });
  await emit(
    tx,
    ctx,
    { type: 'reward.redeemed', orgId: i.orgId, payload: { customerId: i.customer.id, couponId, rewardId: i.reward.id, points: coupon.points_cost, issuedVia: i.issuedVia } },
    { actor: i.actor, at: i.now, customer: i.customer },
  );
  return { coupon: toCouponView({ ...coupon, used_order_external_id: null }, i.now), balances: balancesOf(i.customer) };
}

/** Redeems a reward on the customer's behalf: deducts its points (strict, per lot) and issues a coupon. */
export async function redeemReward(ctx: AppContext, orgId: string, customerId: string, input: { rewardId: string; points?: number | undefined }, actor: Actor) {
  const currency = await repo.orgCurrency(ctx.db, orgId);
  return withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const { customer, reward } = await loadForIssue(tx, orgId, customerId, input.rewardId);
    assertActive(reward);
    const price = priceOf(reward, input.points);
    assertCanRedeem(customer);
    return issue(tx, ctx, { orgId, customer, reward, currency, ...price, issuedVia: 'redemption', deduct: true, actor, now });
  });
}

/** Gives a reward's coupon, deducting its points or not; some reward types, and guests, cannot be given one (422 says why). */
export async function giveReward(ctx: AppContext, orgId: string, customerId: string, input: { rewardId: string; deductPoints: boolean }, actor: Actor) {
  const currency = await repo.orgCurrency(ctx.db, orgId);
  return withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const { customer, reward } = await loadForIssue(tx, orgId, customerId, input.rewardId);
    const why = NOT_GIVABLE[reward.type];
    if (why) {
      throw new AppError('RULE_REFUSED', `"${reward.name}" is a ${REWARD_LABELS[reward.type]} reward and cannot be given: ${why}`, { rewardId: reward.id, type: reward.type });
    }
    assertActive(reward);
    // A coupon is only usable by someone who can redeem: guests are refused even a free gift.
    if (customer.membership_type === 'guest') {
      throw new AppError(
        'RULE_REFUSED',
        `Guests cannot redeem rewards, so "${reward.name}" cannot be given to them. Make this customer a member first (POST /api/v1/customers/${customer.id}/membership { "type": "member" })`,
        { id: customer.id, membershipType: 'guest', allowed: ['member'] },
      );
    }
    // Deducting points is a redemption (members only); a free gift still needs the customer in the program.
    if (input.deductPoints || customer.membership_type === 'left') assertCanRedeem(customer);
    const price = priceOf(reward, undefined);
    return issue(tx, ctx, { orgId, customer, reward, currency, ...price, issuedVia: 'gift', deduct: input.deductPoints, actor, now });
  });
}

/**
 * Revokes an unused coupon and gives its points back to exactly the lots they came from,
 * once: the customer row lock serializes revokes, the coupon status and the ledger's unique
 * key `coupon:<id>:refund` both refuse a second one.
 */
export async function revokeCoupon(ctx: AppContext, orgId: string, couponId: string, reason: string | undefined, actor: Actor) {
  return withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const peek = await repo.findCoupon(tx, orgId, couponId);
    if (!peek) throw AppError.notFound('Coupon', couponId);
    const customer = await lockForChange(tx, orgId, peek.customer_id);
    const coupon = (await repo.lockCoupon(tx, orgId, couponId))!;
    const refuse = (why: string) => new AppError('COUPON_NOT_REVOCABLE', `Coupon ${coupon.code} ${why}; only active, unused coupons can be revoked`, { couponId, status: coupon.status });
    if (coupon.status === 'used') throw refuse(`was already used${coupon.used_at ? ` on ${coupon.used_at.toISOString()}` : ''}`);
    if (coupon.status === 'revoked') throw refuse(`was already revoked${coupon.revoked_at ? ` on ${coupon.revoked_at.toISOString()}` : ''}`);
    if (coupon.status === 'expired' || (coupon.expires_at && coupon.expires_at <= now)) throw refuse(`expired on ${coupon.expires_at?.toISOString() ?? 'an earlier date'}`);
    let refundEntryId: string | null = null;
    if (coupon.debit_entry_id) {
      const uniqueKey = `coupon:${coupon.id}:refund`;
      if (await findEntryByUniqueKey(tx, orgId, uniqueKey)) throw refuse('already had its points restored');
      const entry = await restore(tx, ctx, {
        orgId,
        customer,
        kind: 'coupon_refund',
        fromEntryId: coupon.debit_entry_id,
        reason: `Coupon ${coupon.code} revoked${reason ? `: ${reason}` : ''}`,
        customerMessage: `Points returned for coupon ${coupon.code}`,
        explanation: `+${plural(coupon.points_cost)}: coupon ${coupon.code} ("${coupon.reward_name}") revoked by ${actor.name}, points returned to the lots they came from`,
        sourceType: 'coupon',
        sourceId: coupon.id,
        uniqueKey,
        actor,
        at: now,
      });
      refundEntryId = entry.id;
    }
    const updated = await repo.updateCoupon(tx, orgId, coupon.id, {
      status: 'revoked',
      revoked_at: now,
      revoke_reason: reason ?? null,
      refund_entry_id: refundEntryId,
      updated_at: now,
    });
    const restored = refundEntryId ? coupon.points_cost : 0;
    await recordActivity(tx, {
      orgId,
      customerId: customer.id,
      type: 'coupon.revoked',
      actor,
      summary: `Coupon ${coupon.code} revoked${restored ? `: ${plural(restored)} restored` : ''}${reason ? ` (${reason})` : ''}`,
      payload: { couponId: coupon.id, code: coupon.code, pointsRestored: restored, entryId: refundEntryId, reason: reason ?? null },
      at: now,
    });
    await emit(tx, ctx, { type: 'coupon.revoked', orgId, payload: { customerId: customer.id, couponId: coupon.id, pointsRestored: restored } }, { actor, at: now, customer });
    return { coupon: toCouponView({ ...updated, used_order_external_id: null }, now), balances: balancesOf(customer), pointsRestored: restored };
  });
}

export async function getCoupon(ctx: AppContext, orgId: string, couponId: string) {
  const row = await repo.findCouponWithOrder(ctx.db, orgId, couponId);
  if (!row) throw AppError.notFound('Coupon', couponId);
  return toCouponView(row, ctx.clock.now());
}

export async function listCustomerCoupons(ctx: AppContext, orgId: string, customerId: string, opts: { limit: number; before: { createdAt: Date; id: string } | null }) {
  if (!(await customerExists(ctx.db, orgId, customerId))) throw AppError.notFound('Customer', customerId);
  const { page, next } = await keysetPage(
    opts.limit,
    (limit) => repo.listCustomerCoupons(ctx.db, orgId, customerId, { ...opts, limit }),
    (last) => ({ at: last.created_at.toISOString(), id: last.id }),
  );
  const now = ctx.clock.now();
  return { items: page.map((c) => toCouponView(c, now)), next };
}

/** An order that carries a coupon's code (compared canonically) marks that customer's active coupon used. */
async function markCouponsUsed(tx: Tx, ctx: AppContext, customer: CustomerRow, order: OrderRow, actor: Actor): Promise<void> {
  const keys = [...new Set(order.discount_codes.map(canonicalCode).filter((k): k is string => k !== null))];
  if (keys.length === 0) return;
  const coupons = await repo.lockActiveCouponsByCode(tx, order.org_id, customer.id, keys);
  const now = ctx.clock.now();
  for (const c of coupons) {
    if (c.expires_at && c.expires_at <= order.placed_at) continue;
    await repo.updateCoupon(tx, order.org_id, c.id, { status: 'used', used_at: now, used_order_id: order.id, updated_at: now });
    await recordActivity(tx, {
      orgId: order.org_id,
      customerId: customer.id,
      type: 'coupon.used',
      actor,
      summary: `Coupon ${c.code} ("${c.reward_name}") used on order #${order.external_id}`,
      payload: { couponId: c.id, code: c.code, orderId: order.id, externalId: order.external_id },
      at: now,
    });
    await emit(tx, ctx, { type: 'coupon.used', orgId: order.org_id, payload: { customerId: customer.id, couponId: c.id, orderId: order.id } }, { actor, at: now, customer, order });
  }
}

/** A counted order uses the coupons whose codes it carries, in the order's transaction. */
export const rewardsReactions = [
  reaction('order.counted', 'rewards.coupons-used-by-order', async (tx, ctx, e, scope) => {
    if (scope.customer && scope.order) await markCouponsUsed(tx, ctx, scope.customer, scope.order, scope.actor);
  }),
];
