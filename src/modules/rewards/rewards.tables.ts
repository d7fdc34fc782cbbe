import type { Generated } from 'kysely';
import type { Timestamp } from '../../db/types.js';

export const REWARD_TYPES = [
  'fixed_amount',
  'percentage',
  'free_shipping',
  'free_product',
  'variable',
  'cart_fixed_amount',
  'price_adjustment',
] as const;

export type RewardType = (typeof REWARD_TYPES)[number];

export type CouponStatus = 'active' | 'used' | 'revoked' | 'expired';

/** A coupon's code in the connected store: being created, usable, refused (with a reason), or switched off. */
export type CouponStoreState = 'pending' | 'live' | 'failed' | 'deactivated';

export interface RewardsTable {
  org_id: string;
  id: string;
  name: string;
  type: RewardType;
  points_cost: number;
  value_minor: number | null;
  /** numeric(5,2), read as a decimal string. */
  value_percent: string | null;
  product_ref: string | null;
  max_points: number | null;
  min_order_minor: number | null;
  coupon_validity_days: number | null;
  code_prefix: string | null;
  active: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CouponsTable {
  org_id: string;
  id: string;
  customer_id: string;
  reward_id: string;
  code: string;
  code_key: string;
  reward_name: string;
  reward_type: RewardType;
  value_minor: number | null;
  value_percent: string | null;
  currency: string;
  min_order_minor: number | null;
  product_ref: string | null;
  points_cost: number;
  issued_via: 'redemption' | 'gift';
  debit_entry_id: string | null;
  refund_entry_id: string | null;
  status: CouponStatus;
  expires_at: Timestamp | null;
  used_at: Timestamp | null;
  used_order_id: string | null;
  revoked_at: Timestamp | null;
  revoke_reason: string | null;
  expired_at: Timestamp | null;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  /** The coupon's discount code in the connected store: null when no store holds it. */
  store_state: Generated<CouponStoreState | null>;
  store_ref: Generated<string | null>;
  store_error: Generated<string | null>;
  store_attempts: Generated<number>;
  store_updated_at: Generated<Timestamp | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../../db/types.js' {
  interface DB {
    rewards: RewardsTable;
    coupons: CouponsTable;
  }
}
