import { formatMoney } from '../../core/money.js';
import type { CouponWithOrder, RewardRow } from './rewards.repo.js';
import type { CouponStatus, RewardType } from './rewards.tables.js';

export const REWARD_LABELS: Record<RewardType, string> = {
  fixed_amount: 'fixed amount',
  percentage: 'percentage',
  free_shipping: 'free shipping',
  free_product: 'free product',
  variable: 'variable',
  cart_fixed_amount: 'cart fixed amount',
  price_adjustment: 'price adjustment',
};

export const trimPercent = (p: string | null): string | null => (p === null ? null : p.includes('.') ? p.replace(/0+$/, '').replace(/\.$/, '') : p);

export function moneyView(minor: number | null, currency: string) {
  return minor === null ? null : { amount: formatMoney(BigInt(minor), currency), currency };
}

export function toRewardView(r: RewardRow, currency: string) {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    pointsCost: r.points_cost,
    value: moneyView(r.value_minor, currency),
    percentOff: trimPercent(r.value_percent),
    productRef: r.product_ref,
    maxPoints: r.max_points,
    minimumOrder: moneyView(r.min_order_minor, currency),
    couponValidityDays: r.coupon_validity_days,
    codePrefix: r.code_prefix,
    active: r.active,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function couponStatusAt(c: Pick<CouponWithOrder, 'status' | 'expires_at'>, now: Date): CouponStatus {
  return c.status === 'active' && c.expires_at !== null && c.expires_at <= now ? 'expired' : c.status;
}

/** A coupon as staff see it; an active coupon past its validity shows as expired before the job marks it. */
export function toCouponView(c: CouponWithOrder, now: Date) {
  const cur = c.currency.trim();
  return {
    id: c.id,
    code: c.code,
    customerId: c.customer_id,
    reward: { id: c.reward_id, name: c.reward_name, type: c.reward_type },
    value: moneyView(c.value_minor, cur),
    percentOff: trimPercent(c.value_percent),
    productRef: c.product_ref,
    minimumOrder: moneyView(c.min_order_minor, cur),
    pointsCost: c.points_cost,
    issuedVia: c.issued_via,
    status: couponStatusAt(c, now),
    createdAt: c.created_at.toISOString(),
    expiresAt: c.expires_at?.toISOString() ?? null,
    usedAt: c.used_at?.toISOString() ?? null,
    usedOrder: c.used_order_id && c.used_order_external_id ? { id: c.used_order_id, externalId: c.used_order_external_id } : null,
    revokedAt: c.revoked_at?.toISOString() ?? null,
    revokeReason: c.revoke_reason,
    expiredAt: c.expired_at?.toISOString() ?? null,
    issuedBy: { type: c.actor_type, id: c.actor_id, name: c.actor_name },
    store:
      c.store_state === null
        ? null
        : { state: c.store_state, discountId: c.store_ref, error: c.store_error, attempts: c.store_attempts, updatedAt: c.store_updated_at?.toISOString() ?? null },
  };
}
